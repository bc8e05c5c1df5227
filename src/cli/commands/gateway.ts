import { setFlagsFromString } from 'node:v8';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { WardenError } from '../../core/index.js';
import { EXIT, type ExitCode } from '../exit.js';

/** Flags of `warden serve` as commander parses them. */
export interface ServeFlags {
  model: string[];
  upstream: string[];
  config?: string;
  store?: string;
  redis?: string;
  host?: string;
  port?: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  requireSignature?: boolean;
  publicKey?: string;
  certificateChain?: string[];
  kek?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });
const DEFAULT_STORE = 'sqlite:warden.db';

function pair(flag: string, spec: string): [string, string] {
  const i = spec.indexOf('=');
  if (i <= 0 || i === spec.length - 1) throw usage(`${flag} takes NAME=VALUE, got "${spec}"`);
  return [spec.slice(0, i), spec.slice(i + 1)];
}

/** Builds the configuration: the file first, then the flags on top. */
export async function serveConfig(flags: ServeFlags) {
  const { loadGatewayConfigFile, parseGatewayConfig } = await import('../../gateway/index.js');
  const raw = (flags.config ? loadGatewayConfigFile(flags.config) : {}) as Record<string, unknown>;
  const models = { ...((raw.models as Record<string, unknown> | undefined) ?? {}) };
  const openai = { ...((raw.openai as Record<string, unknown> | undefined) ?? {}) };
  for (const spec of flags.model) {
    // NAME@ALIAS or NAME@N (no "="): a registry version in --store, gated and digest-checked at load
    if (!spec.includes('=') && spec.includes('@')) {
      const name = spec.slice(0, spec.lastIndexOf('@'));
      models[name] = { ...(models[name] ?? {}), registry: spec };
      continue;
    }
    const [name, path] = pair('--model', spec);
    const encrypted = flags.kek && path.endsWith('.wenc') ? { kek: flags.kek } : {};
    models[name] = { ...(models[name] ?? {}), path, ...encrypted };
  }
  for (const spec of flags.upstream) {
    const [name, url] = pair('--upstream', spec);
    if (url.startsWith('openai:')) openai[name] = { url: url.slice('openai:'.length) };
    else models[name] = { upstream: url.startsWith('oip:') ? url.slice(4) : url };
  }
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw usage(`--port must be 0-65535, got "${flags.port}"`);
  if (!!flags.tlsCert !== !!flags.tlsKey) throw usage('--tls-cert and --tls-key go together');
  if (flags.clientCa && !flags.tlsCert) throw usage('--client-ca needs --tls-cert and --tls-key');
  const signature = { ...((raw.signature as object | undefined) ?? {}) } as Record<string, unknown>;
  if (flags.requireSignature) signature.require = true;
  if (flags.publicKey) signature.publicKey = flags.publicKey;
  if (flags.certificateChain) signature.certificateChain = flags.certificateChain;
  return parseGatewayConfig({
    ...raw,
    models,
    openai,
    signature,
    ...(flags.store ? { store: flags.store } : {}),
    ...(flags.redis ? { redis: flags.redis } : {}),
    ...(flags.host ? { host: flags.host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(flags.tlsCert
      ? {
          tls: {
            cert: flags.tlsCert,
            key: flags.tlsKey,
            ...(flags.clientCa ? { clientCa: flags.clientCa } : {}),
          },
        }
      : {}),
  });
}

/** `warden serve`: runs until SIGINT or SIGTERM, then drains the audit log. */
export async function runServe(flags: ServeFlags): Promise<ExitCode> {
  const config = await serveConfig(flags);
  if (Object.keys(config.models).length === 0 && Object.keys(config.openai).length === 0)
    throw usage(
      'nothing to serve: give --model NAME=PATH.onnx or NAME@ALIAS, --upstream NAME=URL or a --config with models',
    );
  // This process is the gateway, so its V8 heap may be tuned for it: letting the old generation grow to
  // twice its live size between full collections, instead of V8's tighter default, took ~10 of every 11
  // full GCs out of a 30k-request load (a few microseconds per request on the request thread).
  if (config.heapGrowingPercent > 0)
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  const { startGateway } = await import('../../gateway/index.js');
  const { createDashboard } = await import('../../web/index.js');
  const gw = await startGateway(config, { mounts: [createDashboard()] });
  const names = [...gw.models.keys(), ...Object.keys(config.openai)].join(', ');
  process.stdout.write(
    `warden serve: listening on ${gw.url} (models: ${names}; store ${config.store.replace(/\/\/[^@/]*@/, '//***@')}; dashboard ${gw.url}/ui/)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await gw.close();
  process.stderr.write(`warden serve: stopped; ${gw.audit.written} audit records written\n`);
  return EXIT.ok;
}

async function withStore<T>(
  url: string,
  fn: (s: import('../../core/store/index.js').Store) => Promise<T>,
): Promise<T> {
  const { openGatewayStore } = await import('../../gateway/index.js');
  const store = await openGatewayStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Admin actions go to the same audit chain as requests, flushed before the command returns. */
async function audited(
  store: import('../../core/store/index.js').Store,
  action: string,
  resource: string,
  detail: Record<string, unknown>,
) {
  const { AuditLog } = await import('../../gateway/index.js');
  const log = new AuditLog(store, { flushMs: 1 });
  log.record({ actor: `cli:${userInfo().username}`, action, resource, decision: 'admin', status: 0, detail });
  await log.close();
}

const out = (s: string) => process.stdout.write(s);

/** Adds `warden serve`, `warden keys` and `warden audit` to the program. */
export function registerGateway(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('serve')
    .description(
      'Secure inference gateway: OIP v2 REST for ONNX models and upstreams, with auth, limits and audit',
    )
    .option(
      '--model <NAME=PATH|NAME@ALIAS>',
      'serve an ONNX model in-process, from a file or a registry version in --store whose gate passes (repeatable)',
      collect,
      [],
    )
    .option(
      '--upstream <NAME=URL>',
      'proxy an OIP v2 server, or an OpenAI API with openai:URL (repeatable)',
      collect,
      [],
    )
    .option('--config <file>', 'gateway config, YAML or JSON (flags override it)')
    .option(
      '--store <url>',
      `API keys and audit log: sqlite:PATH or postgres://... (default ${DEFAULT_STORE})`,
    )
    .option('--redis <url>', 'share rate limits between replicas through Redis')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port (default 8080; 0 = any free port)')
    .option('--tls-cert <file>', 'serve HTTPS (TLS 1.3 only) with this certificate (PEM)')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option('--client-ca <file>', 'require client certificates signed by this CA (mutual TLS)')
    .option(
      '--kek <FILE|env:VAR>',
      'key-encryption key for --model files encrypted with `warden encrypt` (*.wenc): decrypted in memory only',
    )
    .option('--require-signature', 'load a model only if its signature (MODEL_DIR/model.sig) verifies')
    .option('--public-key <file>', 'public key for --require-signature')
    .option('--certificate-chain <files...>', 'trusted certificates for --require-signature')
    .action(async (flags: ServeFlags) => setExit(await runServe(flags)));

  const keys = program.command('keys').description('Manage the gateway API keys (stored hashed)');
  keys
    .command('create')
    .description('Create an API key and print it once')
    .requiredOption('--principal <name>', 'who the key belongs to')
    .requiredOption('--role <role>', 'viewer, data_scientist, ml_engineer, auditor or admin')
    .option('--store <url>', `store URL (default ${DEFAULT_STORE})`, DEFAULT_STORE)
    .option('--json', 'print {"key", "id", ...} as JSON')
    .action(async (f: { principal: string; role: string; store: string; json?: boolean }) => {
      const { ApiKeys } = await import('../../gateway/index.js');
      await withStore(f.store, async (s) => {
        const { key, info } = await new ApiKeys(s).create(f.principal, f.role);
        await audited(s, 'keys.create', info.id, { principal: info.principal, role: info.role });
        out(f.json ? `${JSON.stringify({ key, ...info })}\n` : `${key}\n`);
        if (!f.json)
          process.stderr.write(
            `created ${info.id} for ${info.principal} (${info.role}); the key is shown only once\n`,
          );
      });
      setExit(EXIT.ok);
    });
  keys
    .command('revoke')
    .description('Revoke an API key by id (or by the key itself)')
    .argument('<id>', 'key id (key_...) or the key')
    .option('--store <url>', `store URL (default ${DEFAULT_STORE})`, DEFAULT_STORE)
    .action(async (id: string, f: { store: string }) => {
      const { ApiKeys } = await import('../../gateway/index.js');
      await withStore(f.store, async (s) => {
        const info = await new ApiKeys(s).revoke(id);
        await audited(s, 'keys.revoke', info.id, { principal: info.principal });
        out(`revoked ${info.id} (${info.principal})\n`);
      });
      setExit(EXIT.ok);
    });
  keys
    .command('list')
    .description('List API keys (never the keys themselves)')
    .option('--store <url>', `store URL (default ${DEFAULT_STORE})`, DEFAULT_STORE)
    .option('--json', 'print a JSON array')
    .action(async (f: { store: string; json?: boolean }) => {
      const { ApiKeys } = await import('../../gateway/index.js');
      const list = await withStore(f.store, (s) => new ApiKeys(s).list());
      if (f.json) out(`${JSON.stringify(list)}\n`);
      else
        for (const k of list)
          out(
            `${k.id}  ${k.principal}  ${k.role}  ${k.createdAt}${k.revokedAt ? `  revoked ${k.revokedAt}` : ''}\n`,
          );
      setExit(EXIT.ok);
    });

  const audit = program
    .command('audit')
    .description('Audit chains (verify, export) and model audits (membership)');
  audit
    .command('verify')
    .description('Recompute the hash chain: exit 0 intact, 1 broken (the first bad record is printed)')
    .option('--store <url>', `store URL (default ${DEFAULT_STORE})`, DEFAULT_STORE)
    .option('--json', 'print the verdict as JSON')
    .action(async (f: { store: string; json?: boolean }) => {
      const { verifyAuditChain } = await import('../../gateway/index.js');
      const v = await withStore(f.store, (s) => verifyAuditChain(s));
      if (f.json) out(`${JSON.stringify(v)}\n`);
      else if (v.ok)
        out(`audit chain intact: ${v.records} records, last seq ${v.lastSeq}, head ${v.lastHash}\n`);
      else
        out(
          `audit chain BROKEN at seq ${v.firstBad!.seq}: ${v.firstBad!.reason}\n` +
            `verified up to seq ${v.lastSeq}; first bad record: ${JSON.stringify(v.firstBad!.record)}\n`,
        );
      setExit(v.ok ? EXIT.ok : EXIT.findings);
    });
  audit
    .command('export')
    .description('Print the audit records as JSON lines, in chain order')
    .option('--store <url>', `store URL (default ${DEFAULT_STORE})`, DEFAULT_STORE)
    .option('--from <seq>', 'first sequence number (default 1)')
    .action(async (f: { store: string; from?: string }) => {
      const { auditRecords } = await import('../../gateway/index.js');
      const from = f.from === undefined ? 1 : Number(f.from);
      if (!Number.isSafeInteger(from) || from < 1)
        throw usage(`--from must be a positive integer, got "${f.from}"`);
      await withStore(f.store, async (s) => {
        for await (const r of auditRecords(s, from))
          if (!process.stdout.write(`${JSON.stringify(r)}\n`))
            await new Promise((res) => process.stdout.once('drain', res));
      });
      setExit(EXIT.ok);
    });
}

import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { WardenError } from '../../core/index.js';
import { render, OutputFormatSchema } from '../../report/index.js';
import {
  DEFAULT_GUARD_POLICY,
  Guard,
  GuardPool,
  guardError,
  guardReport,
  loadPolicyFile,
  readLines,
  scanJsonLine,
  startGuardServer,
  type LineOutcome,
  type LineScanOptions,
  type RawLine,
  type GuardServerOptions,
  type RunningGuardServer,
} from '../../guard/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';

/** Flags of `warden guard [text]` as commander parses them. */
export interface GuardFlags {
  policy?: string;
  output?: boolean;
  canary?: string[];
  json?: boolean;
  format: string;
  jsonl?: string;
  workers?: string;
}

/** Reads the policy file (or takes the default) and compiles it; policy errors are exit 2. */
export function loadGuard(policyPath?: string): { guard: Guard; policy: unknown } {
  const policy = policyPath ? loadPolicyFile(policyPath) : DEFAULT_GUARD_POLICY;
  return { guard: new Guard(policy), policy };
}

export async function runGuard(text: string | undefined, flags: GuardFlags): Promise<ExitCode> {
  const format = OutputFormatSchema.safeParse(flags.format);
  if (!format.success)
    throw new WardenError('USAGE', `--format must be one of ${OutputFormatSchema.options.join(', ')}`, {
      kind: 'usage',
    });
  const workers = positiveInt('--workers', flags.workers);
  if ((text === undefined) === (flags.jsonl === undefined))
    throw new WardenError('USAGE', 'guard needs either a TEXT (- for standard input) or --jsonl FILE', {
      kind: 'usage',
    });
  const { guard, policy } = loadGuard(flags.policy);
  const opts: LineScanOptions = {
    direction: flags.output ? 'output' : 'input',
    ...(flags.canary?.length ? { canaries: flags.canary } : {}),
  };
  if (flags.jsonl !== undefined) return runJsonl(flags.jsonl, guard, policy, opts, workers);

  const startedAt = new Date();
  const fromStdin = text === '-';
  const input = fromStdin ? await readStdinText(guard.policy.limits.maxChars * 3 + 4) : (text as string);
  const result = guard.scan(input, opts.direction, opts.canaries ? { canaries: opts.canaries } : {});
  if (flags.json) {
    const { flagged, score, findings, sanitized } = result;
    process.stdout.write(`${JSON.stringify({ flagged, score, findings, sanitized })}\n`);
  } else {
    const report = guardReport(
      [{ name: fromStdin ? '<stdin>' : '<argument>', result, text: input }],
      startedAt,
    );
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(render(report, format.data, { color, width: process.stdout.columns ?? 120 }));
  }
  return result.flagged ? EXIT.findings : EXIT.ok;
}

/**
 * One output line per input line, in order, in constant memory. Exit 1 if any line was flagged, else 3 if
 * the guard failed on a line, else 2 if a line was unusable, else 0.
 */
async function runJsonl(
  file: string,
  guard: Guard,
  policy: unknown,
  opts: LineScanOptions,
  workers: number | undefined,
): Promise<ExitCode> {
  const stream = file === '-' ? process.stdin : createReadStream(file);
  const maxLineBytes = guard.policy.limits.maxChars * 3 + 1024;
  const pool = workers ? new GuardPool(policy, workers, opts) : undefined;
  const inflight: Promise<LineOutcome[]>[] = [];
  let flagged = false;
  let errored = false;
  let failed = false;
  let out = '';
  const emit = async (outcomes: LineOutcome[]): Promise<void> => {
    for (const o of outcomes) {
      out += `${o.json}\n`;
      flagged ||= o.flagged;
      errored ||= o.error === 'input';
      failed ||= o.error === 'internal';
    }
    if (out.length >= 1 << 16) await flush();
  };
  const flush = async (): Promise<void> => {
    const ok = process.stdout.write(out);
    out = '';
    if (!ok) await once(process.stdout, 'drain');
  };
  try {
    let batch: RawLine[] = [];
    let lineNo = 0;
    let first = 1;
    const submit = async (): Promise<void> => {
      const lines = batch;
      batch = [];
      if (pool) {
        const answer = pool.scan(lines, first);
        answer.catch(() => {}); // awaited in order below; this only keeps a worker crash from going unhandled
        inflight.push(answer);
        // bounded read-ahead: wait for the oldest batch once every worker has two queued
        if (inflight.length >= pool.size * 2) await emit(await inflight.shift()!);
      } else await emit(lines.map((l, i) => scanJsonLine(guard, l, first + i, opts)));
      first = lineNo + 1;
    };
    for await (const line of readLines(stream, maxLineBytes)) {
      lineNo++;
      batch.push(line);
      if (batch.length >= 64) await submit();
    }
    if (batch.length) await submit();
    while (inflight.length) await emit(await inflight.shift()!);
    await flush();
  } finally {
    await pool?.close();
  }
  return flagged ? EXIT.findings : failed ? EXIT.internal : errored ? EXIT.usage : EXIT.ok;
}

/** Flags of `warden guard serve`. */
export interface GuardServeFlags {
  policy?: string;
  host: string;
  port: string;
  upstream?: string;
  upstreamKeyEnv?: string;
  timeout?: string;
  scanRoles?: string[];
  canary: boolean;
}

/** Serves the guard API until SIGINT/SIGTERM; prints the URL on stdout (one line) for scripts. */
export async function runGuardServe(flags: GuardServeFlags): Promise<ExitCode> {
  const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage('--port must be an integer 0-65535');
  const timeoutMs = positiveInt('--timeout', flags.timeout);
  let upstream: GuardServerOptions['upstream'];
  if (flags.upstream !== undefined) {
    let url: URL;
    try {
      url = new URL(flags.upstream);
    } catch {
      throw usage(`--upstream ${flags.upstream} is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usage('--upstream must be http(s)');
    const key = flags.upstreamKeyEnv ? process.env[flags.upstreamKeyEnv] : undefined;
    if (flags.upstreamKeyEnv && !key) throw usage(`environment variable ${flags.upstreamKeyEnv} is not set`);
    upstream = {
      baseUrl: flags.upstream,
      ...(key ? { apiKey: key } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    };
  } else if (flags.upstreamKeyEnv || timeoutMs)
    throw usage('--upstream-key-env and --timeout need --upstream');
  const { guard } = loadGuard(flags.policy);
  let srv: RunningGuardServer;
  try {
    srv = await startGuardServer({
      guard,
      host: flags.host,
      port,
      ...(upstream ? { upstream } : {}),
      ...(flags.scanRoles?.length ? { scanRoles: flags.scanRoles } : {}),
      ...(flags.canary === false ? { canary: false } : {}),
    });
  } catch (e) {
    throw usage(`cannot listen on ${flags.host}:${port}: ${(e as Error).message}`);
  }
  process.stdout.write(`${srv.url}\n`);
  const routes = `POST /v1/guard/scan${upstream ? `, POST /v1/chat/completions -> ${upstream.baseUrl}` : ''}`;
  process.stderr.write(`warden guard: listening on ${srv.url} (${routes}); Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => void srv.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}

async function readStdinText(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw guardError('GUARD_INPUT_TOO_LARGE', `standard input is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw guardError('GUARD_INPUT_INVALID', 'standard input is not valid UTF-8');
  }
}

import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { WardenError } from '../../core/index.js';
import type * as R from '../../registry/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';

/** Flags every registry command takes. */
interface Common {
  store?: string;
  json?: boolean;
  as?: string;
}

/** The store: --store, else $WARDEN_STORE, else a SQLite file under the working directory. */
export function storeUrl(flag: string | undefined): string {
  return flag || process.env.WARDEN_STORE || `sqlite:${resolve('.warden', 'warden.db')}`;
}

const actor = (f: Common): string => f.as ?? `cli:${safeUser()}`;
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });

async function withRegistry<T>(f: Common, fn: (reg: R.Registry, lib: typeof R) => Promise<T>): Promise<T> {
  const lib = await import('../../registry/index.js');
  const reg = await lib.Registry.open(storeUrl(f.store));
  try {
    return await fn(reg, lib);
  } finally {
    await reg.close();
  }
}

const print = (f: Common, value: unknown, text: () => string): void => {
  process.stdout.write(f.json ? `${JSON.stringify(value, null, 2)}\n` : text());
};

function readBounded(path: string, max: number, what: string): string {
  try {
    if (path === '-') {
      const buf = readFileSync(0);
      if (buf.length > max) throw usage(`${what} on standard input is larger than ${max} bytes`);
      return buf.toString('utf8');
    }
    if (statSync(path).size > max)
      throw new WardenError('LIMIT_EXCEEDED', `${what} ${path} is larger than ${max} bytes`, {
        kind: 'limit',
      });
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof WardenError) throw e;
    throw new WardenError('NOT_FOUND', `cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function meta(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw usage(`--meta takes key=value, got "${p}"`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );
}

const common = (c: Command): Command =>
  c
    .option(
      '--store <url>',
      'registry store: sqlite:PATH or postgres://... (default $WARDEN_STORE or sqlite:.warden/warden.db)',
    )
    .option('--json', 'print JSON');
const page = (c: Command): Command =>
  c.option('--limit <n>', 'rows per page (default 50, at most 1000)').option('--offset <n>', 'rows to skip');

interface RegisterFlags extends Common {
  name: string;
  dataset?: string[];
  evalDataset?: string[];
  parent?: string;
  relation: 'fine_tuned_from' | 'converted_from';
  publicKey?: string;
  certificateChain?: string[];
  signature?: string;
  ignoreSignature?: boolean;
  scan?: boolean;
  meta?: string[];
}

async function runRegister(model: string, f: RegisterFlags): Promise<ExitCode> {
  return withRegistry(f, async (reg, lib) => {
    const datasets: NonNullable<R.NewVersion['datasets']> = [];
    for (const [refs, relation] of [
      [f.dataset, 'trained_on'],
      [f.evalDataset, 'evaluated_on'],
    ] as const)
      for (const d of refs ?? []) {
        // a path registers the data set first; anything else names a registered one
        let ref = d;
        if (statSync(d, { throwIfNoEntry: false })) {
          const { dataset } = await lib.describeDataset(d);
          ref = (await reg.registerDataset(dataset, actor(f))).dataset.ref;
        }
        datasets.push({ ref, relation });
      }
    const r = await lib.registerModel(reg, model, {
      name: f.name,
      actor: actor(f),
      ...(f.publicKey ? { publicKey: readBounded(f.publicKey, 65536, 'public key') } : {}),
      ...(f.certificateChain
        ? { certificateChain: f.certificateChain.map((p) => readBounded(p, 1 << 20, 'certificate')) }
        : {}),
      ...(f.signature ? { signaturePath: f.signature } : {}),
      ignoreSignature: f.ignoreSignature ?? false,
      ...(f.parent ? { parents: [{ ref: f.parent, relation: f.relation }] } : {}),
      datasets,
      ...(meta(f.meta) ? { meta: meta(f.meta) } : {}),
      scan: f.scan ?? false,
    });
    print(f, r.version, () => {
      const v = r.version;
      return (
        `registered ${v.ref} ${v.digest} (${v.format}, ${v.fileCount} file(s))\n` +
        `  signature: ${v.signer ?? 'none'}\n` +
        (r.scan
          ? `  scan: ${r.scan.verdict} (${r.scan.findings.length} findings) attached as evidence\n`
          : '')
      );
    });
    return EXIT.ok;
  });
}

/** Adds the `warden registry` command group. */
export function registerRegistry(program: Command, setExit: (code: ExitCode) => void): void {
  const reg = program
    .command('registry')
    .description(
      'Model registry: versions, data sets, lineage, evidence, approvals, gated aliases, audit chain',
    );

  common(
    reg.command('register').description('Register a model file or directory as the next version of a model'),
  )
    .argument('<model>', 'model file or directory (its model.sig is verified and recorded)')
    .requiredOption('--name <name>', 'model name')
    .option(
      '--dataset <ref...>',
      'trained on: a registered data set (NAME[@sha256:PREFIX]) or a file to register',
    )
    .option('--eval-dataset <ref...>', 'evaluated on: a data set reference or file')
    .option('--parent <ref>', 'the version this one came from (NAME@N or NAME@ALIAS)')
    .addOption(
      new Option('--relation <r>', 'relation to --parent')
        .choices(['fine_tuned_from', 'converted_from'])
        .default('fine_tuned_from'),
    )
    .option('--public-key <file>', 'public key (PEM) that must verify the model signature')
    .option('--certificate-chain <files...>', 'trusted certificates (PEM) for a certificate-signed model')
    .option('--signature <file>', 'signature bundle (default MODEL/model.sig)')
    .option('--ignore-signature', 'register as unsigned even if a signature file is present')
    .option('--scan', 'scan the model and attach the report as evidence')
    .option('--meta <key=value...>', 'free-form metadata')
    .option('--as <principal>', 'who registers (default cli:$USER)')
    .action(async (model: string, f: RegisterFlags) => setExit(await runRegister(model, f)));

  const ds = reg.command('dataset').description('Data sets');
  common(
    ds
      .command('add')
      .description('Register a data set file or directory (digest, sampled schema, optional PII report)'),
  )
    .argument('<path>', 'data set file or directory')
    .option('--name <name>', 'data set name (default: the file name)')
    .option('--pii', 'sample CSV/TSV/JSON-lines values and record a PII report')
    .option('--as <principal>', 'who registers (default cli:$USER)')
    .action(async (path: string, f: Common & { name?: string; pii?: boolean }) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const d = await lib.describeDataset(path, {
            ...(f.name ? { name: f.name } : {}),
            pii: f.pii ?? false,
          });
          const out = await r.registerDataset(d.dataset, actor(f));
          print(
            f,
            { ...out, ...(d.pii ? { piiReport: d.pii } : {}) },
            () =>
              `${out.created ? 'registered' : 'already registered:'} data set ${out.dataset.ref} (${out.dataset.format}, ${out.dataset.size} bytes)\n` +
              (d.pii
                ? `  PII: ${d.pii.metrics['pii.total']} hits in ${d.pii.metrics.cells} sampled cells\n${d.pii.findings.map((x) => `  - ${x.title}\n`).join('')}`
                : ''),
          );
          return EXIT.ok;
        }),
      ),
    );

  const ev = reg.command('evidence').description('Evidence reports attached to versions');
  common(
    ev
      .command('add')
      .description('Attach a Warden report (scan, verify, attack, dp, fairness, ...) to a version'),
  )
    .argument('<version>', 'NAME@N or NAME@ALIAS')
    .argument('<report>', 'report JSON file (- reads standard input)')
    .option('--as <principal>', 'who adds it (default cli:$USER)')
    .action(async (ref: string, file: string, f: Common) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const n = lib.parseEvidenceText(readBounded(file, lib.MAX_EVIDENCE_BYTES, 'report'));
          const out = await r.addEvidence(ref, n, actor(f));
          print(f, out, () =>
            out.created
              ? `attached ${out.evidence.kind} evidence #${out.evidence.id} (${out.evidence.verdict}) to ${out.ref}; earlier approvals expired\n`
              : `${out.ref} already holds this report as evidence #${out.evidence.id}\n`,
          );
          return EXIT.ok;
        }),
      ),
    );
  common(ev.command('show').description('Print a stored evidence report'))
    .argument('<version>', 'NAME@N')
    .argument('<id>', 'evidence id')
    .action(async (ref: string, id: string, f: Common) =>
      setExit(
        await withRegistry(f, async (r) => {
          const body = await r.evidenceReport(ref, positiveInt('id', id)!);
          process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
          return EXIT.ok;
        }),
      ),
    );

  common(reg.command('approve').description('Approve a version in a role (bound to the evidence it has now)'))
    .argument('<version>', 'NAME@N or NAME@ALIAS')
    .requiredOption('--as <principal>', 'who approves (must not be the version author)')
    .requiredOption('--role <role>', 'role the approver acts in: ml_engineer, auditor, ...')
    .option('--comment <text>', 'why')
    .action(async (ref: string, f: Common & { role: string; comment?: string }) =>
      setExit(
        await withRegistry(f, async (r) => {
          const out = await r.approve(ref, {
            principal: f.as!,
            role: f.role,
            ...(f.comment ? { comment: f.comment } : {}),
          });
          print(f, out, () =>
            out.created
              ? `${f.as} approved ${out.ref} as ${out.approval.role}\n`
              : `${f.as} had already approved ${out.ref} with this evidence\n`,
          );
          return EXIT.ok;
        }),
      ),
    );

  common(
    reg
      .command('promote')
      .description('Point an alias at a version if its gate passes (exit 1 with the unmet clauses)'),
  )
    .argument('<version>', 'NAME@N')
    .requiredOption('--alias <alias>', 'alias to move, e.g. staging or production')
    .option('--expect <ref>', 'only if the alias is now this version (NAME@N, or none): compare-and-set')
    .option('--as <principal>', 'who promotes (default cli:$USER)')
    .action(async (ref: string, f: Common & { alias: string; expect?: string }) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const expect = f.expect === undefined ? {} : { expect: f.expect === 'none' ? null : f.expect };
          const out = await r.promote(ref, f.alias, actor(f), expect);
          if (!out.promoted && !f.json) process.stderr.write(lib.renderPromote(out));
          else print(f, out, () => lib.renderPromote(out));
          return out.promoted ? EXIT.ok : EXIT.findings;
        }),
      ),
    );

  common(
    reg
      .command('gate')
      .description('Evaluate an alias gate on a version without promoting (exit 1 if it fails)'),
  )
    .argument('<version>', 'NAME@N or NAME@ALIAS')
    .requiredOption('--alias <alias>', 'whose gate')
    .action(async (ref: string, f: Common & { alias: string }) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const g = await r.checkGate(ref, f.alias);
          print(f, g, () => lib.renderGate(g));
          return g.passed ? EXIT.ok : EXIT.findings;
        }),
      ),
    );

  common(
    reg
      .command('show')
      .description('Show a version: files, signature, evidence, approvals, lineage and gates'),
  )
    .argument('<version>', 'NAME, NAME@N or NAME@ALIAS')
    .action(async (ref: string, f: Common) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const d = await r.show(ref);
          print(f, d, () => lib.renderVersion(d));
          return EXIT.ok;
        }),
      ),
    );

  page(common(reg.command('list').description('List models, the versions of one model, or data sets')))
    .argument('[model]', "list this model's versions")
    .option('--datasets', 'list data sets')
    .action(
      async (name: string | undefined, f: Common & { limit?: string; offset?: string; datasets?: boolean }) =>
        setExit(
          await withRegistry(f, async (r, lib) => {
            const p = {
              limit: positiveInt('--limit', f.limit) ?? 50,
              offset: f.offset === undefined ? 0 : Number(f.offset),
            };
            if (!Number.isSafeInteger(p.offset) || p.offset < 0)
              throw usage('--offset must be a non-negative integer');
            if (f.datasets) {
              const d = await r.listDatasets(p);
              print(f, d, () => lib.renderDatasets(d));
            } else if (name) {
              const v = await r.listVersions(name, p);
              print(f, v, () => lib.renderVersions(v));
            } else {
              const m = await r.listModels(p);
              print(f, m, () => lib.renderModels(m));
            }
            return EXIT.ok;
          }),
        ),
    );

  common(
    reg
      .command('lineage')
      .description('Lineage of a version (or dataset:NAME) as a tree; --json gives nodes and edges'),
  )
    .argument('<ref>', 'NAME@N, NAME@ALIAS or dataset:NAME')
    .option('--down', 'what came from it instead of what it came from')
    .option('--both', 'both directions')
    .option('--depth <n>', 'longest path followed (default 32)')
    .action(async (ref: string, f: Common & { down?: boolean; both?: boolean; depth?: string }) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const direction = f.both ? 'both' : f.down || ref.startsWith('dataset:') ? 'down' : 'up';
          const g = await r.lineage(ref, { direction, depth: positiveInt('--depth', f.depth) ?? 32 });
          print(f, g, () => lib.renderLineageTree(g, direction));
          return EXIT.ok;
        }),
      ),
    );

  common(
    reg
      .command('link')
      .description(
        'Add a lineage edge: SRC fine_tuned_from|converted_from VERSION, or trained_on|evaluated_on DATASET',
      ),
  )
    .argument('<src>', 'NAME@N')
    .argument('<relation>', 'fine_tuned_from, converted_from, trained_on or evaluated_on')
    .argument('<dst>', 'NAME@N, or a data set NAME[@sha256:PREFIX]')
    .option('--as <principal>', 'who links (default cli:$USER)')
    .action(async (src: string, relation: string, dst: string, f: Common) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          if (!(lib.LINEAGE_RELATIONS as readonly string[]).includes(relation))
            throw usage(`relation must be one of ${lib.LINEAGE_RELATIONS.join(', ')}`);
          const out = await r.link(src, relation as R.LineageRelation, dst, actor(f));
          print(f, out, () =>
            out.created ? `linked ${src} ${relation} ${dst}\n` : 'edge already recorded\n',
          );
          return EXIT.ok;
        }),
      ),
    );

  const pol = reg.command('policy').description('Promotion gates (YAML or JSON)');
  common(
    pol
      .command('set')
      .description('Validate and store the promotion policy; every later promotion follows it'),
  )
    .argument('<file>', 'policy file')
    .option('--as <principal>', 'who sets it (default cli:$USER)')
    .action(async (file: string, f: Common) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const p = lib.loadPromotionPolicy(file);
          const out = await r.setPolicy(p, actor(f));
          print(
            f,
            out,
            () =>
              `${out.changed ? 'stored' : 'unchanged:'} policy ${out.digest} (gates: ${Object.keys(p.gates).join(', ') || 'none'})\n`,
          );
          return EXIT.ok;
        }),
      ),
    );
  common(pol.command('show').description('Print the policy in force')).action(async (f: Common) =>
    setExit(
      await withRegistry(f, async (r, lib) => {
        const p = await r.policy();
        if (!p)
          throw new WardenError(
            'NOT_FOUND',
            'no promotion policy stored: run warden registry policy set FILE',
          );
        print(
          f,
          p,
          () =>
            `policy ${p.digest}\n${Object.entries(p.policy.gates)
              .map(([a, cs]) => `${a}:\n${cs.map((c) => `  - ${lib.gateClauseText(c)}\n`).join('')}`)
              .join('')}${p.policy.open.length ? `open: ${p.policy.open.join(', ')}\n` : ''}`,
        );
        return EXIT.ok;
      }),
    ),
  );

  common(
    reg
      .command('verify')
      .description('Verify the hash-chained audit trail (exit 1 at the first edited or deleted record)'),
  )
    .option(
      '--expect-head <seq:hash>',
      'a head recorded earlier elsewhere: also catches a truncated chain with a rewritten head',
    )
    .action(async (f: Common & { expectHead?: string }) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          let expect: { seq: number; hash: string } | undefined;
          if (f.expectHead) {
            const m = /^(\d+):([0-9a-f]{64})$/.exec(f.expectHead);
            if (!m) throw usage('--expect-head takes SEQ:HASH (64 hex digits)');
            expect = { seq: Number(m[1]), hash: m[2]! };
          }
          const v = await r.verifyAudit(expect);
          print(f, v, () => lib.renderAuditVerdict(v));
          return v.ok ? EXIT.ok : EXIT.findings;
        }),
      ),
    );

  common(reg.command('audit').description('The newest audit records, of one model or of everything'))
    .argument('[model]', 'only this model')
    .option('--limit <n>', 'records (default 50)')
    .action(async (name: string | undefined, f: Common & { limit?: string }) =>
      setExit(
        await withRegistry(f, async (r, lib) => {
          const recs = await r.audit({
            ...(name ? { subject: name } : {}),
            limit: positiveInt('--limit', f.limit) ?? 50,
          });
          print(f, recs, () =>
            lib.renderColumns(
              ['SEQ', 'TIME', 'ACTOR', 'ACTION', 'SUBJECT', 'DETAIL'],
              recs.map((a) => [String(a.seq), a.ts, a.actor, a.action, a.subject, a.detail]),
              80,
            ),
          );
          return EXIT.ok;
        }),
      ),
    );
}

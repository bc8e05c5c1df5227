import { statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { WardenError } from '../../core/index.js';
import type * as R from '../../registry/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { registerRegistryViews } from './registry-view.js';
import {
  actor,
  common,
  meta,
  print,
  readBounded,
  usage,
  withRegistry,
  type Common,
} from './registry-common.js';

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

  registerRegistryViews(reg, setExit);
}

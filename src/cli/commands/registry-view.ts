import type { Command } from 'commander';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { common, page, print, usage, withRegistry, type Common } from './registry-common.js';

/** The read-only `warden registry` subcommands: gate, show, list, lineage, verify, audit. */
export function registerRegistryViews(reg: Command, setExit: (code: ExitCode) => void): void {
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

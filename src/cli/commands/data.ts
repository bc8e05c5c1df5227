import { Command, Option } from 'commander';
import { SEVERITIES, WardenError, type Report, type Severity } from '../../core/index.js';
import { EXIT, exitCodeForVerdict, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { writeOutput } from '../io.js';
import { OutputFormatSchema, type OutputFormat } from '../../report/index.js';

interface ReportFlags {
  format: OutputFormat;
  output?: string;
  failOn: Severity;
  color?: boolean;
}

async function emit(report: Report, f: ReportFlags): Promise<ExitCode> {
  const { render } = await import('../../report/index.js');
  report.failOn = f.failOn;
  const { decideVerdict } = await import('../../core/index.js');
  report.verdict = decideVerdict(report.findings, report.items, f.failOn);
  writeOutput(render(report, f.format, { color: f.color !== false && !f.output }), f.output);
  return exitCodeForVerdict(report.verdict);
}

function reportOptions(cmd: Command, failOn: Severity): Command {
  return cmd
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(OutputFormatSchema.options)
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above')
        .choices([...SEVERITIES])
        .default(failOn),
    )
    .option('--no-color', 'no colours');
}

const list = (v: string | undefined, flag: string): string[] => {
  const out = (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!out.length)
    throw new WardenError('USAGE', `${flag} needs a comma-separated list of column names`, { kind: 'usage' });
  return out;
};

/** Adds `warden data scan|check|protect|reveal`: personal data in tabular and text data sets. */
export function registerData(program: Command, setExit: (code: ExitCode) => void): void {
  const data = program
    .command('data')
    .description('Personal data in data sets: scan, k-anonymity, protect and reveal columns');
  reportOptions(
    data
      .command('scan')
      .description('Find personal data per column with the guard PII detectors (counts only, no values)')
      .argument('<file>', '.csv (header row) or .jsonl file')
      .option('--max-rows <n>', 'stop after this many rows'),
    'high',
  ).action(async (file: string, f: ReportFlags & { maxRows?: string }) => {
    const { scanData } = await import('../../privacy/index.js');
    const max = positiveInt('--max-rows', f.maxRows);
    setExit(await emit((await scanData(file, max === undefined ? {} : { maxRows: max })).report, f));
  });
  reportOptions(
    data
      .command('check')
      .description('k-anonymity and l-diversity over quasi-identifier columns')
      .argument('<file>', '.csv or .jsonl file')
      .requiredOption(
        '--quasi-identifiers <cols>',
        'comma-separated quasi-identifier columns, e.g. zip,age,sex',
      )
      .option('--sensitive <col>', 'sensitive column for l-diversity')
      .option('--k <k>', 'k the data must reach (default 5)')
      .option('--l <l>', 'distinct l the data must reach (default 2)')
      .option('--max-classes <n>', 'bound on distinct quasi-identifier combinations (default 1000000)'),
    'medium',
  ).action(
    async (
      file: string,
      f: ReportFlags & {
        quasiIdentifiers: string;
        sensitive?: string;
        k?: string;
        l?: string;
        maxClasses?: string;
      },
    ) => {
      const { checkAnonymity } = await import('../../privacy/index.js');
      const k = positiveInt('--k', f.k);
      const l = positiveInt('--l', f.l);
      const maxClasses = positiveInt('--max-classes', f.maxClasses);
      const r = await checkAnonymity(file, {
        quasiIdentifiers: list(f.quasiIdentifiers, '--quasi-identifiers'),
        ...(f.sensitive === undefined ? {} : { sensitive: f.sensitive }),
        ...(k === undefined ? {} : { k }),
        ...(l === undefined ? {} : { l }),
        ...(maxClasses === undefined ? {} : { maxClasses }),
      });
      setExit(await emit(r.report, f));
    },
  );
  const transform = (name: 'protect' | 'reveal', description: string) =>
    data
      .command(name)
      .description(description)
      .argument('<file>', '.csv or .jsonl file')
      .requiredOption('--columns <cols>', 'comma-separated columns')
      .requiredOption('--key <key>', 'data key: a key file (32 bytes raw, hex or base64) or env:VAR')
      .requiredOption('--out <file>', 'output file (same format)')
      .option('--force', 'replace an existing output file')
      .option('--json', 'print the result as JSON');
  transform('protect', 'Pseudonymize (keyed HMAC, one-way) or encrypt (AES-256-GCM, reversible) columns')
    .addOption(new Option('--mode <mode>', 'hmac or encrypt').choices(['hmac', 'encrypt']).default('hmac'))
    .option('--create-key', 'create the --key file first (32 random bytes as hex, mode 0600)')
    .action(
      async (
        file: string,
        f: {
          columns: string;
          key: string;
          out: string;
          force?: boolean;
          json?: boolean;
          mode: 'hmac' | 'encrypt';
          createKey?: boolean;
        },
      ) => {
        const { createDataKeyFile, loadDataKeys, protectFile } = await import('../../privacy/index.js');
        if (f.createKey) createDataKeyFile(f.key);
        const r = await protectFile(file, f.out, {
          columns: list(f.columns, '--columns'),
          mode: f.mode,
          keys: loadDataKeys(f.key),
          force: f.force === true,
        });
        process.stdout.write(
          f.json
            ? `${JSON.stringify({ out: f.out, mode: f.mode, ...r })}\n`
            : `wrote ${f.out}: ${r.cells} values in ${r.rows} rows (${f.mode})\n`,
        );
        setExit(EXIT.ok);
      },
    );
  transform(
    'reveal',
    'Decrypt columns that `warden data protect --mode encrypt` wrote (needs the same key)',
  ).action(
    async (
      file: string,
      f: { columns: string; key: string; out: string; force?: boolean; json?: boolean },
    ) => {
      const { loadDataKeys, protectFile } = await import('../../privacy/index.js');
      const r = await protectFile(file, f.out, {
        columns: list(f.columns, '--columns'),
        mode: 'reveal',
        keys: loadDataKeys(f.key),
        force: f.force === true,
      });
      process.stdout.write(
        f.json
          ? `${JSON.stringify({ out: f.out, mode: 'reveal', ...r })}\n`
          : `wrote ${f.out}: ${r.cells} values in ${r.rows} rows decrypted\n`,
      );
      setExit(EXIT.ok);
    },
  );
}

import { Command, Option } from 'commander';
import { SEVERITIES, atLeast, type Severity } from '../../core/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { writeOutput } from '../io.js';
import { withRegistry } from './registry-common.js';

/** Flags of `warden report` as commander parses them. */
export interface ReportFlags {
  model: string;
  store?: string;
  format: 'table' | 'json' | 'sarif' | 'markdown' | 'md' | 'html';
  output?: string;
  failOn?: Severity;
}

export async function runReport(flags: ReportFlags): Promise<ExitCode> {
  const { buildModelReport, renderModelReport } = await import('../../report/index.js');
  const report = await withRegistry(flags, (reg) => buildModelReport(reg, flags.model));
  const format = flags.format === 'md' ? 'markdown' : flags.format;
  writeOutput(renderModelReport(report, format), flags.output);
  const fail = flags.failOn;
  return fail && report.findings.some((f) => atLeast(f.severity, fail)) ? EXIT.findings : EXIT.ok;
}

/** Adds `warden report` to the program. */
export function registerReport(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('report')
    .description(
      'Report on a registered model version: its metadata and every evidence report, mapped to OWASP ML/LLM Top 10, MITRE ATLAS and NIST AI RMF',
    )
    .requiredOption('--model <ref>', 'NAME@VERSION or NAME@ALIAS (e.g. credit@3, credit@production)')
    .option(
      '--store <url>',
      'registry store: sqlite:PATH or postgres://... (default $WARDEN_STORE or sqlite:.warden/warden.db)',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'markdown', 'md', 'html'])
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 on findings at or above this severity (default: exit 0)',
      ).choices([...SEVERITIES]),
    )
    .action(async (flags: ReportFlags) => setExit(await runReport(flags)));
}

import { Command, Option } from 'commander';
import { SEVERITIES, type Severity } from '../../core/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { writeOutput } from '../io.js';

/** Flags of `warden posture` as commander parses them. */
export interface PostureFlags {
  store?: string;
  gatewayConfig?: string;
  publicKey?: string[];
  format: 'table' | 'json' | 'sarif' | 'markdown' | 'html';
  output?: string;
  failOn: Severity;
}

export async function runPostureCommand(path: string, flags: PostureFlags): Promise<ExitCode> {
  const { runPosture, renderPosture } = await import('../../posture/index.js');
  const report = await runPosture({
    path,
    ...(flags.store ? { store: flags.store } : {}),
    ...(flags.gatewayConfig ? { gatewayConfig: flags.gatewayConfig } : {}),
    ...(flags.publicKey?.length ? { publicKeys: flags.publicKey } : {}),
    failOn: flags.failOn,
  });
  writeOutput(renderPosture(report, flags.format), flags.output);
  return exitCodeForVerdict(report.verdict);
}

/** Adds `warden posture` to the program. */
export function registerPosture(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('posture')
    .description(
      'Check an ML project against the 20-item ML security checklist (pass / fail / unknown, with evidence)',
    )
    .argument('<path>', 'project directory')
    .option('--store <dir|file:URL>', 'folder of Warden report JSON files (evidence) to read as well')
    .option('--gateway-config <file>', 'gateway configuration (YAML/JSON) for the serving checks')
    .option('--public-key <files...>', 'public keys (PEM) trusted to verify model signatures')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'markdown', 'html'])
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on failed items at or above this severity')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .action(async (path: string, flags: PostureFlags) => setExit(await runPostureCommand(path, flags)));
}

#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { SEVERITIES, VERSION, toWardenError } from '../core/index.js';
import { EXIT, exitCodeForError, type ExitCode } from './exit.js';

function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command();
  program
    .name('warden')
    .description('Warden: ML security across the model lifecycle (scan, sign, guard, serve, attack, audit)')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run warden --help for usage)')
    .exitOverride();

  program
    .command('scan')
    .description('Scan model files and directories without executing them (- reads standard input)')
    .argument('[paths...]', 'files or directories to scan')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'markdown'])
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .option('--strict', 'treat unknown imports as high severity (blocking)')
    .option(
      '--policy <file>',
      'JSON policy file: {"allow": [...], "deny": [{"global", "severity", "reason"}], "unknownSeverity"}',
    )
    .option('--concurrency <n>', 'files scanned in parallel (default: CPU cores)')
    .option('--timeout <ms>', 'time budget per file in milliseconds (default 120000)')
    .option('--max-depth <n>', 'nesting depth of archives and payloads (default 8)')
    .option('--force-format <format>', 'skip detection and parse every file as this format')
    .option('--no-progress', 'no progress bar')
    .option('--no-color', 'no colours')
    .action(async (paths: string[], flags: import('./commands/scan.js').ScanFlags) => {
      const { runScan } = await import('./commands/scan.js');
      setExit(await runScan(paths, flags));
    });

  program
    .command('demo')
    .description('Generate a sample set of benign and malicious model files and scan it')
    .option('--dir <dir>', 'where to write the samples (default: a temporary folder, removed afterwards)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'markdown'])
        .default('table'),
    )
    .action(async (flags: { dir?: string; format: string }) => {
      const { runDemo } = await import('./commands/demo.js');
      setExit(await runDemo(flags));
    });
  return program;
}

export async function main(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const err = toWardenError(e);
    process.stderr.write(`warden: error ${err.code}: ${err.message}\n`);
    if (err.kind === 'internal' && process.env.WARDEN_DEBUG && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
    return exitCodeForError(err);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`warden: internal error: ${String(e)}\n`);
    process.exitCode = EXIT.internal;
  },
);

import { Command, Option } from 'commander';
import { SEVERITIES, WardenError, type Severity } from '../../core/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { progressBar, writeOutput } from '../io.js';

/** Flags of `warden redteam` as commander parses them. */
export interface RedteamFlags {
  target: string;
  model?: string;
  suite: string;
  systemPromptFile?: string;
  turns?: string;
  format: string;
  output?: string;
  concurrency?: string;
  timeout?: string;
  seed?: string;
  maxPerFamily?: string;
  stream?: boolean;
  apiKeyEnv?: string;
  failOn: Severity;
  progress: boolean;
}

const SUITES = ['injection', 'jailbreak', 'leakage', 'pii', 'encoding', 'all'] as const;

/** `--suite all`, one suite, or a comma-separated list. */
function suitesOf(v: string): string[] {
  const parts = v.split(',').map((s) => s.trim());
  for (const p of parts)
    if (!(SUITES as readonly string[]).includes(p))
      throw new WardenError(
        'USAGE',
        `--suite must be ${SUITES.join(', ')} or a comma-separated list, got "${p}"`,
        {
          kind: 'usage',
        },
      );
  return parts.includes('all')
    ? ['injection', 'jailbreak', 'leakage', 'pii', 'encoding']
    : [...new Set(parts)];
}

export async function runRedteamCommand(flags: RedteamFlags): Promise<ExitCode> {
  const { runRedteam, readSystemPromptFile, renderRedteam, REDTEAM_FORMATS } =
    await import('../../redteam/index.js');
  if (!(REDTEAM_FORMATS as readonly string[]).includes(flags.format))
    throw new WardenError('USAGE', `--format must be one of ${REDTEAM_FORMATS.join(', ')}`, {
      kind: 'usage',
    });
  let apiKey: string | undefined;
  if (flags.apiKeyEnv !== undefined) {
    apiKey = process.env[flags.apiKeyEnv];
    if (!apiKey)
      throw new WardenError(
        'USAGE',
        `--api-key-env ${flags.apiKeyEnv}: that environment variable is not set`,
        {
          kind: 'usage',
        },
      );
  }
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0))
    throw new WardenError('USAGE', '--seed must be a non-negative integer', { kind: 'usage' });
  const bar = progressBar(flags.progress && process.stderr.isTTY === true && !flags.output);
  const report = await runRedteam(
    {
      target: flags.target,
      ...(flags.model ? { model: flags.model } : {}),
      suites: suitesOf(flags.suite) as ('injection' | 'jailbreak' | 'leakage' | 'pii' | 'encoding')[],
      ...(flags.systemPromptFile ? { systemPrompt: readSystemPromptFile(flags.systemPromptFile) } : {}),
      ...(flags.turns !== undefined ? { turns: positiveInt('--turns', flags.turns) } : {}),
      ...(flags.concurrency !== undefined
        ? { concurrency: positiveInt('--concurrency', flags.concurrency) }
        : {}),
      ...(flags.timeout !== undefined ? { timeoutMs: positiveInt('--timeout', flags.timeout) } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(flags.maxPerFamily !== undefined
        ? { maxPerFamily: positiveInt('--max-per-family', flags.maxPerFamily) }
        : {}),
      ...(flags.stream ? { stream: true } : {}),
      ...(apiKey ? { apiKey } : {}),
      failOn: flags.failOn,
    },
    { onProbe: (done, total, r) => bar.update(done, total, r.id) },
  );
  bar.end();
  writeOutput(renderRedteam(report, flags.format as (typeof REDTEAM_FORMATS)[number]), flags.output);
  return exitCodeForVerdict(report.verdict);
}

/** Adds `warden redteam` to the program. */
export function registerRedteam(program: Command, setExit: (code: ExitCode) => void): void {
  program
    .command('redteam')
    .description(
      'Attack an OpenAI-compatible chat endpoint with generated probes; report attack success rates (exit 1 when an attack succeeds)',
    )
    .requiredOption('--target <url>', 'base URL (http://host/v1) or full /chat/completions URL')
    .option('--model <name>', 'model name sent with each request (default: "default")')
    .option('--suite <suite>', `${SUITES.join('|')} or a comma-separated list`, 'all')
    .option(
      '--system-prompt-file <file>',
      'operator system prompt to test (the run appends its planted canary, key and customers)',
    )
    .option('--turns <n>', 'user turns of multi-turn probes, 2-10 (default 3)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'markdown', 'html'])
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--concurrency <n>', 'probes in flight at once (default 4)')
    .option('--timeout <ms>', 'budget of one call to the target in milliseconds (default 30000)')
    .option('--seed <n>', 'seed of the planted values and sampling (default 0)')
    .option('--max-per-family <n>', 'at most N probes per family (a seeded sample)')
    .option('--stream', 'ask for streamed (SSE) replies')
    .option('--api-key-env <var>', 'environment variable holding the API key (sent as a Bearer token)')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on successful attacks at or above this severity')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .option('--no-progress', 'no progress bar')
    .action(async (flags: RedteamFlags) => setExit(await runRedteamCommand(flags)))
    .showHelpAfterError();
}

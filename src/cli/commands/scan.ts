import { readFileSync } from 'node:fs';
import { WardenError, type Severity } from '../../core/index.js';
import { ScanOptionsSchema, scanPaths, type ScanOptions } from '../../artifacts/index.js';
import { render, OutputFormatSchema } from '../../report/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { progressBar, stdinToTempFile, writeOutput } from '../io.js';

/** Flags of `warden scan` as commander parses them. */
export interface ScanFlags {
  format: string;
  output?: string;
  failOn: string;
  strict?: boolean;
  policy?: string;
  concurrency?: string;
  timeout?: string;
  maxDepth?: string;
  progress: boolean;
  color: boolean;
  forceFormat?: string;
}

function readPolicyFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WardenError('CONFIG_INVALID', `cannot read policy file ${path}: ${(e as Error).message}`, {
      kind: 'usage',
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new WardenError(
      'CONFIG_INVALID',
      `policy file ${path} is not valid JSON: ${(e as Error).message}`,
      {
        kind: 'usage',
      },
    );
  }
}

export async function runScan(paths: string[], flags: ScanFlags): Promise<ExitCode> {
  const format = OutputFormatSchema.safeParse(flags.format);
  if (!format.success)
    throw new WardenError('USAGE', `--format must be one of ${OutputFormatSchema.options.join(', ')}`, {
      kind: 'usage',
    });
  const timeoutMs = positiveInt('--timeout', flags.timeout);
  const maxDepth = positiveInt('--max-depth', flags.maxDepth);
  const raw: ScanOptions = {
    failOn: flags.failOn as Severity,
    strict: flags.strict ?? false,
    ...(flags.policy ? { policy: readPolicyFile(flags.policy) as ScanOptions['policy'] } : {}),
    ...(flags.concurrency ? { concurrency: positiveInt('--concurrency', flags.concurrency) } : {}),
    limits: { ...(timeoutMs ? { timeoutMs } : {}), ...(maxDepth ? { maxDepth } : {}) },
    ...(flags.forceFormat ? { format: flags.forceFormat } : {}),
  };
  const parsed = ScanOptionsSchema.safeParse(raw);
  if (!parsed.success)
    throw new WardenError(
      'CONFIG_INVALID',
      `invalid scan options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      {
        kind: 'usage',
      },
    );
  if (paths.length === 0)
    throw new WardenError('USAGE', 'scan needs at least one PATH (or - for standard input)', {
      kind: 'usage',
    });

  const names = new Map<string, string>();
  const cleanups: (() => void)[] = [];
  const targets: string[] = [];
  try {
    for (const p of paths) {
      if (p === '-') {
        const tmp = await stdinToTempFile(64 * 1024 ** 3);
        cleanups.push(tmp.cleanup);
        names.set(tmp.path, '<stdin>');
        targets.push(tmp.path);
      } else targets.push(p);
    }
    const bar = progressBar(flags.progress && process.stderr.isTTY === true);
    const report = await scanPaths(targets, parsed.data, (p) => bar.update(p.done, p.total, p.path), names);
    bar.end();
    const color = flags.color && !flags.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
    writeOutput(render(report, format.data, { color, width: process.stdout.columns ?? 120 }), flags.output);
    return exitCodeForVerdict(report.verdict);
  } finally {
    for (const c of cleanups) c();
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { WardenError } from '../../core/index.js';
import { OutputFormatSchema, render } from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';

/** Flags of `warden demo` as commander parses them. */
export interface DemoFlags {
  dir?: string;
  quick?: boolean;
  exit?: boolean;
  json?: boolean;
  host?: string;
  port?: string;
  seed?: string;
  threads?: string;
  scanSamples?: boolean;
  format: string;
}

/** `warden demo --scan-samples`: the sample set of benign and malicious model files, scanned. */
async function runScanSamples(flags: DemoFlags): Promise<ExitCode> {
  const format = OutputFormatSchema.parse(flags.format);
  const { scanSamples } = await import('../../demo/index.js');
  const dir = flags.dir ?? mkdtempSync(`${tmpdir()}/warden-samples-`);
  try {
    const r = await scanSamples(dir);
    const color = format === 'table' && process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(render(r.report, format, { color, width: process.stdout.columns ?? 120 }));
    const out = format === 'table' ? process.stdout : process.stderr;
    for (const w of r.wrong) out.write(`  MISS ${w.path}: expected ${w.expected}, got ${w.got}\n`);
    out.write(`\n${r.asExpected} of ${r.files} samples classified as expected; ${r.blocked} blocked.\n`);
    return r.wrong.length === 0 ? EXIT.ok : EXIT.findings;
  } finally {
    if (!flags.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `warden demo`: the whole lifecycle on the shipped digits (src/demo), then the gateway keeps serving
 * until Ctrl-C unless --exit. Progress goes to stderr; the table and summary to stdout (stderr under --json,
 * whose stdout is the JSON summary alone).
 */
export async function runDemo(flags: DemoFlags): Promise<ExitCode> {
  if (flags.scanSamples) return runScanSamples(flags);
  if (flags.format !== 'table')
    throw new WardenError('USAGE', '--format applies to --scan-samples; use --json for the lifecycle demo', {
      kind: 'usage',
    });
  const { runDemo: run, renderSummary } = await import('../../demo/index.js');
  const port = numberFlag('--port', flags.port, { min: 0, max: 65535 });
  const seed = numberFlag('--seed', flags.seed, { min: 0 });
  const threads = positiveInt('--threads', flags.threads);
  const text = (s: string) => (flags.json ? process.stderr : process.stdout).write(s);
  const demo = await run(
    {
      ...(flags.dir ? { dir: flags.dir } : {}),
      quick: flags.quick ?? false,
      exit: flags.exit ?? false,
      json: flags.json ?? false,
      ...(flags.host ? { host: flags.host } : {}),
      ...(port === undefined ? {} : { port }),
      ...(seed === undefined ? {} : { seed }),
      ...(threads === undefined ? {} : { threads }),
    },
    { progress: process.stderr, out: text },
  );
  try {
    text(`\n${renderSummary(demo.summary)}`);
    if (flags.json) process.stdout.write(`${JSON.stringify(demo.summary, null, 2)}\n`);
    if (!flags.exit) {
      text('Serving until Ctrl-C (run with --exit to stop after the summary).\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await demo.close();
  }
  return EXIT.ok;
}

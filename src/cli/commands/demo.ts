import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import { atLeast } from '../../core/index.js';
import { scanPaths, writeSampleSet } from '../../artifacts/index.js';
import { OutputFormatSchema, render } from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit.js';

/**
 * Until the lifecycle demo exists: generate benign and malicious model files, scan them, print the
 * report, then check each file's verdict against what it is. Exit 0 only when every one is right.
 */
export async function runDemo(flags: { dir?: string; format: string }): Promise<ExitCode> {
  const format = OutputFormatSchema.parse(flags.format);
  const dir = flags.dir ?? mkdtempSync(`${tmpdir()}/warden-demo-`);
  try {
    const samples = writeSampleSet(dir).map((s) => ({ ...s, path: relative(dir, s.path) }));
    // scan from inside the folder so that the report shows short relative paths
    const cwd = process.cwd();
    process.chdir(dir);
    const report = await scanPaths(['.'], { failOn: 'high' }).finally(() => process.chdir(cwd));
    const color = format === 'table' && process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(render(report, format, { color, width: process.stdout.columns ?? 120 }));
    const out = format === 'table' ? process.stdout : process.stderr;
    out.write(
      `\nSample set (${samples.length} files, written to ${flags.dir ? dir : 'a temporary folder'}):\n`,
    );
    let wrong = 0;
    for (const s of samples) {
      const item = report.items.find((i) => i.name === s.path);
      const blocked = report.findings.some((f) => f.location?.path === s.path && atLeast(f.severity, 'high'));
      const got = item?.status === 'error' ? 'error' : blocked ? 'fail' : 'pass';
      const ok = got === s.expect;
      if (!ok) wrong++;
      out.write(`  ${ok ? 'ok  ' : 'MISS'} ${got.padEnd(5)} ${s.path.padEnd(42)} ${s.what}\n`);
    }
    out.write(
      wrong === 0
        ? `\nAll ${samples.length} samples classified as expected in ${report.metrics.ms ?? 0} ms.\n`
        : `\n${wrong} of ${samples.length} samples misclassified.\n`,
    );
    return wrong === 0 ? EXIT.ok : EXIT.findings;
  } finally {
    if (!flags.dir) rmSync(dir, { recursive: true, force: true });
  }
}

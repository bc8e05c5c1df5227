import { makeReport, type ReportItem } from '../../core/index.js';
import {
  ConvertRefusedError,
  convertCheckpoint,
  convertSharded,
  isShardIndex,
  type ConvertResult,
} from '../../artifacts/index.js';
import { render } from '../../report/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { writeOutput } from '../io.js';

/** Flags of `warden convert` as commander parses them. */
export interface ConvertFlags {
  to: string;
  out?: string;
  force?: boolean;
  strict?: boolean;
  json?: boolean;
  color: boolean;
}

function mb(n: number): string {
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

function summary(r: ConvertResult): string {
  const lines = [
    `converted ${r.source} -> ${r.output}`,
    `  ${r.tensors} tensors, ${mb(r.dataBytes)} of tensor data; source sha256 ${r.sourceSha256}`,
  ];
  if (r.shared.length)
    lines.push(
      `  shared storages written as copies (listed in __metadata__.shared_storage): ${r.shared
        .map((g) => g.join(' = '))
        .join('; ')}`,
    );
  if (r.skipped.length) lines.push(`  non-tensor entries left out: ${r.skipped.join(', ')}`);
  if (r.findings.length) lines.push(`  scan findings below the refusal threshold: ${r.findings.length}`);
  return `${lines.join('\n')}\n`;
}

export async function runConvert(checkpoint: string, flags: ConvertFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  try {
    const common = { overwrite: flags.force === true, scan: { strict: flags.strict === true } };
    if (isShardIndex(checkpoint)) {
      // a sharded checkpoint: --out names the output directory
      const r = await convertSharded(checkpoint, { ...common, ...(flags.out ? { outDir: flags.out } : {}) });
      const text = `${r.shards.map(summary).join('')}wrote ${r.index} (${r.shards.length} shards, total_size ${r.totalSize})\n`;
      writeOutput(flags.json ? `${JSON.stringify(r, null, 2)}\n` : text);
      return EXIT.ok;
    }
    const r = await convertCheckpoint(checkpoint, { ...common, ...(flags.out ? { out: flags.out } : {}) });
    writeOutput(flags.json ? `${JSON.stringify(r, null, 2)}\n` : summary(r));
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof ConvertRefusedError)) throw e;
    // the scan's evidence, as `warden scan` would print it, then the refusal on stderr
    const item: ReportItem = { ...e.item, name: checkpoint };
    const report = makeReport({
      kind: 'scan',
      subject: { name: checkpoint },
      startedAt,
      finishedAt: new Date().toISOString(),
      findings: e.findings,
      items: [item],
      metrics: {},
      failOn: 'high',
    });
    const color = flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
    writeOutput(
      render(report, flags.json ? 'json' : 'table', { color, width: process.stdout.columns ?? 120 }),
    );
    process.stderr.write(`warden: ${e.message}\n`);
    return EXIT.findings;
  }
}

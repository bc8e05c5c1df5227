import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { WardenError } from '../core/index.js';

/** Copies standard input to a private temp file (bounded) so it can be scanned like any file. */
export async function stdinToTempFile(maxBytes: number): Promise<{ path: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-stdin-'));
  const path = join(dir, 'stdin');
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes)
        cb(new WardenError('LIMIT_EXCEEDED', `standard input is over ${maxBytes} bytes`, { kind: 'limit' }));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(process.stdin, cap, createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    cleanup();
    throw e;
  }
  return { path, cleanup };
}

/** Writes output to a file or stdout; a file is written whole so readers never see half a report. */
export function writeOutput(text: string, file?: string): void {
  if (file) writeFileSync(file, text);
  else process.stdout.write(text);
}

/** A one-line progress bar on stderr, only on a terminal. */
export function progressBar(enabled: boolean): {
  update(done: number, total: number, label: string): void;
  end(): void;
} {
  if (!enabled) return { update() {}, end() {} };
  let last = 0;
  return {
    update(done, total, label) {
      const now = Date.now();
      if (done !== total && now - last < 80) return;
      last = now;
      const width = 24;
      const filled = Math.round((done / Math.max(1, total)) * width);
      const cols = process.stderr.columns ?? 100;
      const head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} `;
      const room = Math.max(0, cols - head.length - 1);
      const tail = label.length > room ? `...${label.slice(label.length - room + 3)}` : label;
      process.stderr.write(`\r\x1b[2K${head}${tail}`);
    },
    end() {
      process.stderr.write('\r\x1b[2K');
    },
  };
}

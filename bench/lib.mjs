// Small helpers shared by the benchmark scripts (not a benchmark itself: run.mjs skips it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench folder, and its gitignored work folder for generated inputs. */
export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const WORK_DIR = join(BENCH_DIR, '.work');

/**
 * The reference data folder `shared/data/<sub>` beside the checkout: `../shared` from the main clone, or
 * further up from a git worktree (`/work/wt/x` -> `/work/shared`). Falls back to the first guess.
 */
export function sharedData(sub) {
  const first = join(BENCH_DIR, '../../shared/data', sub);
  for (let dir = join(BENCH_DIR, '..'); ;) {
    const parent = dirname(dir);
    const cand = join(parent, 'shared/data', sub);
    if (existsSync(cand)) return cand;
    if (parent === dir) return first;
    dir = parent;
  }
}

/** The value after `--name` on the command line, or `dflt`. */
export function arg(name, dflt) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i === -1 ? dflt : argv[i + 1];
}

/** Little-endian u16 / u32 bytes, for hand-written zip records. */
export const u16 = (n) => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
export function u32(n) {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../core/index.js';

/** Marks a folder as the demo's, so that a later run may clear it and nothing else. */
export const MARKER = '.warden-demo';

/**
 * Creates the work directory fresh: a previous demo's folder (it holds the marker) is cleared; any other
 * non-empty folder is refused rather than deleted.
 */
export function freshWorkDir(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER))
      throw new WardenError(
        'USAGE',
        `${dir} exists and was not made by warden demo; choose another folder with --dir`,
        { kind: 'usage' },
      );
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'made by warden demo; the next run clears this folder\n');
}

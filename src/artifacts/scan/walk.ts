import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../../core/index.js';

// Version-control and cache folders hold no model a loader would open.
const SKIP_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules', '__pycache__']);

/** Expands files and directories (recursively, sorted, symlinked folders not followed) into files. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, top: boolean): void => {
    let st;
    try {
      st = top ? statSync(p) : lstatSync(p);
    } catch (e) {
      if (top)
        throw new WardenError('NOT_FOUND', `cannot read ${p}: ${(e as Error).message}`, { kind: 'input' });
      return;
    }
    if (st.isSymbolicLink()) {
      try {
        if (statSync(p).isFile()) out.push(p);
      } catch {
        // a dangling link is not a file to scan
      }
      return;
    }
    if (st.isDirectory()) {
      const names = readdirSync(p).sort();
      for (const n of names) if (!SKIP_DIRS.has(n)) visit(join(p, n), false);
    } else if (st.isFile()) out.push(p);
  };
  for (const p of paths) visit(p, true);
  return out;
}

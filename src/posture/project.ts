import { closeSync, lstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { postureError } from './errors.js';

/** One regular file of the project. */
export interface ProjectFile {
  /** Path relative to the root, with `/` separators. */
  rel: string;
  abs: string;
  size: number;
}

/** Bounds of the project walk. */
export interface WalkLimits {
  maxFiles: number;
  maxDepth: number;
}

export const DEFAULT_WALK: WalkLimits = { maxFiles: 20_000, maxDepth: 24 };

// Folders of tools, caches and installed packages: not the project's own content.
const SKIP = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  'site-packages',
  '.ipynb_checkpoints',
]);

/** A project directory, walked once (bounded), with bounded readers. */
export class Project {
  readonly files: ProjectFile[] = [];
  /** True when the walk stopped at a limit: some files were not looked at. */
  truncated = false;

  constructor(
    readonly root: string,
    limits: WalkLimits = DEFAULT_WALK,
  ) {
    let st;
    try {
      st = statSync(root);
    } catch (e) {
      throw postureError('POSTURE_PATH_INVALID', `cannot read ${root}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (!st.isDirectory())
      throw postureError(
        'POSTURE_PATH_INVALID',
        `${root} is not a directory (posture checks a project folder)`,
      );
    this.walk(root, 0, limits);
    this.files.sort((a, b) => a.rel.localeCompare(b.rel));
  }

  private walk(dir: string, depth: number, limits: WalkLimits): void {
    if (depth > limits.maxDepth) {
      this.truncated = true;
      return;
    }
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return; // an unreadable sub-folder is skipped, not fatal
    }
    for (const name of names) {
      if (this.files.length >= limits.maxFiles) {
        this.truncated = true;
        return;
      }
      if (SKIP.has(name)) continue;
      const abs = join(dir, name);
      let st;
      try {
        st = lstatSync(abs); // symbolic links are not followed: they could leave the project
      } catch {
        continue;
      }
      if (st.isDirectory()) this.walk(abs, depth + 1, limits);
      else if (st.isFile())
        this.files.push({ rel: relative(this.root, abs).split(sep).join('/'), abs, size: st.size });
    }
  }

  /** Files whose relative path matches. */
  find(re: RegExp): ProjectFile[] {
    return this.files.filter((f) => re.test(f.rel));
  }

  /**
   * The first `maxBytes` of a file as UTF-8 text, or undefined when it looks binary (a NUL byte) or cannot be
   * read. Never reads more than `maxBytes`.
   */
  readText(file: ProjectFile, maxBytes = 1 << 20): string | undefined {
    const n = Math.min(file.size, maxBytes);
    const buf = Buffer.alloc(n);
    let fd: number | undefined;
    try {
      fd = openSync(file.abs, 'r');
      let off = 0;
      while (off < n) {
        const got = readSync(fd, buf, off, n - off, off);
        if (got === 0) break;
        off += got;
      }
      const bytes = buf.subarray(0, off);
      if (bytes.includes(0)) return undefined;
      return bytes.toString('utf8');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The first bytes of a file (for magic numbers). */
  head(file: ProjectFile, n = 16): Buffer {
    const buf = Buffer.alloc(Math.min(n, file.size));
    let fd: number | undefined;
    try {
      fd = openSync(file.abs, 'r');
      readSync(fd, buf, 0, buf.length, 0);
      return buf;
    } catch {
      return Buffer.alloc(0);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** The 1-based line of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

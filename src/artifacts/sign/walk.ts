import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { signError } from './errors.js';

/** Paths the reference `model_signing` always leaves out of a signature (relative to the model). */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

export interface ModelFile {
  /** POSIX path relative to the model root; '.' when the model is a single file. */
  name: string;
  path: string;
  size: number;
}

export interface WalkOptions {
  /** Relative (to the model) or absolute paths; a directory excludes everything under it. */
  ignorePaths?: readonly string[];
  allowSymlinks?: boolean;
}

/** Normalizes ignore paths to POSIX paths relative to the model root (outside ones are dropped). */
export function relativeIgnores(modelPath: string, paths: readonly string[]): string[] {
  const root = resolve(modelPath);
  const out = new Set<string>();
  for (const p of paths) {
    const rel = relative(root, resolve(root, p));
    if (rel === '' || rel.startsWith('..') || resolve(rel) === rel) continue;
    out.add(rel.split(sep).join('/'));
  }
  return [...out];
}

function ignored(name: string, ignores: readonly string[]): boolean {
  return ignores.some((i) => name === i || name.startsWith(`${i}/`));
}

/**
 * Lists the regular files of a model (a file or a directory), sorted by name, following the
 * reference's rules: ignored paths are skipped, symlinks are refused unless allowed (and must
 * then stay inside the model), special files are refused.
 */
export async function walkModel(modelPath: string, opts: WalkOptions = {}): Promise<ModelFile[]> {
  const root = resolve(modelPath);
  const allow = opts.allowSymlinks ?? false;
  let top;
  try {
    top = await lstat(root);
  } catch (e) {
    throw signError('NOT_FOUND', `model path ${modelPath} does not exist`, 'input', e);
  }
  if (top.isSymbolicLink() && !allow)
    throw signError('SYMLINK_REFUSED', `${modelPath} is a symlink (use --allow-symlinks)`);
  const realRoot = await realpath(root);
  const topStat = await stat(root);
  if (topStat.isFile()) return [{ name: '.', path: root, size: topStat.size }];
  if (!topStat.isDirectory()) throw signError('IO_ERROR', `${modelPath} is neither a file nor a directory`);

  const ignores = relativeIgnores(root, opts.ignorePaths ?? []);
  const files: ModelFile[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const ent of entries) {
      const name = prefix ? `${prefix}/${ent.name}` : ent.name;
      if (ignored(name, ignores)) continue;
      const full = join(dir, ent.name);
      let st = await lstat(full);
      if (st.isSymbolicLink()) {
        if (!allow) throw signError('SYMLINK_REFUSED', `${name} is a symlink (use --allow-symlinks)`);
        const target = await realpath(full).catch((e: unknown) => {
          throw signError('IO_ERROR', `${name} is a broken symlink`, 'input', e);
        });
        if (target !== realRoot && !target.startsWith(realRoot + sep))
          throw signError('SYMLINK_REFUSED', `${name} points outside the model`);
        st = await stat(full);
      }
      if (st.isDirectory()) await visit(full, name);
      else if (st.isFile()) files.push({ name, path: full, size: st.size });
      else throw signError('IO_ERROR', `${name} is not a regular file or directory`);
    }
  };
  await visit(root, '');
  return files.sort((a, b) => comparePaths(a.name, b.name));
}

/** The model's name in the statement subject: the last component of its path. */
export function modelName(modelPath: string): string {
  return basename(resolve(modelPath));
}

function cmpStr(a: string, b: string): number {
  // code point order, as Python compares str
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Orders POSIX paths component by component, like Python's PurePosixPath comparison. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = cmpStr(x[i]!, y[i]!);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

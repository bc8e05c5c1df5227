/** Why a member name is unsafe to extract, and how bad that is. */
export interface NameIssue {
  severity: 'high' | 'medium';
  reason: string;
}

/**
 * Checks a member name for extraction tricks: parent segments ('../'), absolute paths, drive
 * letters and NUL bytes (readers cut the name there) are high; a backslash separator without any
 * of those only matters on Windows extraction and is medium.
 */
export function pathIssue(name: string): NameIssue | null {
  if (name.includes('\0'))
    return { severity: 'high', reason: 'contains a NUL byte, which readers cut the name at' };
  const unified = name.replace(/\\/g, '/');
  if (/^[a-zA-Z]:/.test(unified)) return { severity: 'high', reason: 'starts with a drive letter' };
  if (unified.startsWith('/')) return { severity: 'high', reason: 'is an absolute path' };
  if (unified.split('/').includes('..'))
    return { severity: 'high', reason: "climbs out of the target with '..'" };
  if (name.includes('\\'))
    return { severity: 'medium', reason: 'uses backslashes, a directory separator on Windows' };
  return null;
}

/** Extensions of files that commonly hold models or pickles (or can wrap them). */
const MODEL_EXTENSIONS = new Set([
  'pkl',
  'pickle',
  'pt',
  'pth',
  'bin',
  'ckpt',
  'joblib',
  'dill',
  'sav',
  'model',
  'npy',
  'npz',
  'h5',
  'hdf5',
  'keras',
  'pb',
  'onnx',
  'safetensors',
  'gguf',
  'msgpack',
  'mar',
  'zip',
  'tar',
  'gz',
  'bz2',
  'xz',
  'lzma',
  'lz4',
  '7z',
]);

/** Lower-cased extension after the last dot of the base name ('' when none). */
export function extensionOf(name: string): string {
  const base = name.slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** True when the name says "model or pickle": hiding such a member is worth blocking. */
export function looksLikeModel(name: string): boolean {
  const base = name.slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1).toLowerCase();
  return (
    MODEL_EXTENSIONS.has(extensionOf(name)) || base === 'data.pkl' || base === 'pickle' || base === 'tensors'
  );
}

/** `.pkl` members (torch data.pkl, constants.pkl, ...) are always parsed as pickles. */
export function isPickleName(name: string): boolean {
  return /\.pkl$/i.test(name.replace(/\0.*$/s, ''));
}

/** Directory prefixes ('' or 'x/') of torch zip roots: directories that hold a data.pkl. */
export function torchRoots(names: Iterable<string>): Set<string> {
  const roots = new Set<string>();
  for (const n of names) {
    const slash = n.lastIndexOf('/');
    if (n.slice(slash + 1) === 'data.pkl') roots.add(n.slice(0, slash + 1));
  }
  return roots;
}

/**
 * True for `<root>/data/<digits>` next to a `<root>/data.pkl`: raw tensor bytes that torch.load reads
 * with a plain read, never unpickles. They are skipped, which is what keeps a multi-GB checkpoint's
 * scan cost at the size of its data.pkl.
 */
export function isTorchStorage(name: string, roots: Set<string>): boolean {
  const m = /^(.*\/)?data\/\d+$/.exec(name);
  return m !== null && roots.has(m[1] ?? '');
}

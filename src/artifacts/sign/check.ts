import type { SignErrorCode } from './errors.js';
import { hashJobs, type HashOptions } from './hash.js';
import { jobsFor, type Manifest } from './manifest.js';
import { walkModel } from './walk.js';

/** One reason a model did not verify, naming the file it concerns when there is one. */
export interface VerifyFailure {
  code: SignErrorCode;
  message: string;
  file?: string;
}

function fileOf(name: string, m: Manifest): string {
  return m.serialization.method === 'shards' ? name.replace(/:\d+:\d+$/, '') : name;
}

/**
 * Compares the files on disk with a verified manifest: missing, resized, unsigned and changed files,
 * each one a failure, in that order. Files whose shard layout no longer matches are not hashed.
 */
export async function checkFiles(
  modelPath: string,
  manifest: Manifest,
  ignorePaths: string[],
  opts: HashOptions & { ignoreUnsignedFiles?: boolean },
): Promise<{ failures: VerifyFailure[]; files: string[] }> {
  const files = await walkModel(modelPath, {
    ignorePaths,
    allowSymlinks: manifest.serialization.allow_symlinks,
  });
  const actual = jobsFor(files, manifest.serialization.shard_size);
  const expected = new Map(manifest.resources.map((r) => [r.name, r]));
  const present = new Set(files.map((f) => f.name));
  const actualNames = new Set(actual.map((a) => a.name));
  const failures: VerifyFailure[] = [];
  const seen = new Set<string>();
  const fail = (code: SignErrorCode, file: string, message: string): void => {
    if (seen.has(`${code}\0${file}`)) return;
    seen.add(`${code}\0${file}`);
    failures.push({ code, file, message });
  };

  for (const r of manifest.resources) {
    if (actualNames.has(r.name)) continue;
    const file = fileOf(r.name, manifest);
    if (!present.has(file)) fail('MISSING_FILE', file, `${file} is signed but missing from the model`);
    else fail('DIGEST_MISMATCH', file, `${file} changed size since it was signed`);
  }
  const signedFiles = new Set(manifest.resources.map((r) => fileOf(r.name, manifest)));
  for (const a of actual) {
    if (expected.has(a.name)) continue;
    const file = fileOf(a.name, manifest);
    if (signedFiles.has(file)) fail('DIGEST_MISMATCH', file, `${file} changed size since it was signed`);
    else if (!opts.ignoreUnsignedFiles)
      fail('UNSIGNED_FILE', file, `${file} is not covered by the signature`);
  }
  const resized = new Set(failures.map((f) => f.file));
  const todo = actual.filter((a) => expected.has(a.name) && !resized.has(fileOf(a.name, manifest)));
  const digests = await hashJobs(
    todo.map((t) => t.job),
    opts,
  );
  todo.forEach((t, i) => {
    if (expected.get(t.name)!.digest === digests[i]) return;
    const file = fileOf(t.name, manifest);
    fail('DIGEST_MISMATCH', file, `${file}: content differs from the signature`);
  });
  return { failures, files: files.map((f) => f.name) };
}

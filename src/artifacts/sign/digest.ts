import type { HashOptions } from './hash.js';
import { buildManifest, rootDigest, type Manifest } from './manifest.js';
import { defaultIgnores, defaultSignaturePath } from './sign.js';

export interface DigestOptions extends HashOptions {
  ignorePaths?: readonly string[];
  shardSize?: number;
  allowSymlinks?: boolean;
  /** Signature file to leave out; default MODEL/model.sig. */
  signaturePath?: string;
}

/**
 * The root digest `warden sign` would put in the statement subject (SHA-256 over the sorted
 * resource digests), with the same default exclusions (git metadata and model.sig).
 */
export async function digestModel(
  modelPath: string,
  opts: DigestOptions = {},
): Promise<{ rootDigest: string; manifest: Manifest }> {
  const sig = opts.signaturePath ?? (await defaultSignaturePath(modelPath));
  const manifest = await buildManifest(modelPath, {
    ...opts,
    ignorePaths: defaultIgnores(modelPath, sig, opts.ignorePaths),
  });
  return { rootDigest: rootDigest(manifest.resources), manifest };
}

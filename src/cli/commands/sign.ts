import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { signModel } from '../../artifacts/sign/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';

/** Flags of `warden sign` as commander parses them. */
export interface SignFlags {
  key: string;
  signature?: string;
  ignorePaths?: string[];
  certificate?: string;
  certificateChain?: string[];
  shardSize?: string;
  allowSymlinks?: boolean;
  concurrency?: string;
}

/** Reads a file named on the command line; an unreadable one is a usage error (exit 2). */
export function readArg(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new WardenError('CONFIG_INVALID', `cannot read ${what} ${path}: ${(e as Error).message}`, {
      kind: 'usage',
    });
  }
}

export async function runSign(modelPath: string, flags: SignFlags): Promise<ExitCode> {
  if (flags.certificateChain?.length && !flags.certificate)
    throw new WardenError('USAGE', '--certificate-chain needs --certificate', { kind: 'usage' });
  const r = await signModel(modelPath, {
    privateKey: readArg(flags.key, 'private key'),
    signaturePath: flags.signature,
    ignorePaths: flags.ignorePaths,
    certificate: flags.certificate === undefined ? undefined : readArg(flags.certificate, 'certificate'),
    certificateChain: flags.certificateChain?.map((p) => readArg(p, 'certificate chain')),
    shardSize: positiveInt('--shard-size', flags.shardSize),
    allowSymlinks: flags.allowSymlinks ?? false,
    concurrency: positiveInt('--concurrency', flags.concurrency),
  });
  process.stdout.write(
    `signed ${r.modelName}: ${r.resources} ${r.manifest.serialization.method === 'shards' ? 'shards' : 'files'}, ` +
      `root digest sha256:${r.rootDigest}\nsignature: ${r.signaturePath}\n`,
  );
  return EXIT.ok;
}

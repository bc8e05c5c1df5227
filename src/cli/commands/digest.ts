import { digestModel } from '../../artifacts/sign/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';

export interface DigestFlags {
  ignorePaths?: string[];
  shardSize?: string;
  allowSymlinks?: boolean;
}

/** Prints the root digest `warden sign` would sign (hex SHA-256 over the resource digests). */
export async function runDigest(modelPath: string, flags: DigestFlags): Promise<ExitCode> {
  const { rootDigest } = await digestModel(modelPath, {
    ignorePaths: flags.ignorePaths,
    shardSize: positiveInt('--shard-size', flags.shardSize),
    allowSymlinks: flags.allowSymlinks ?? false,
  });
  process.stdout.write(`${rootDigest}\n`);
  return EXIT.ok;
}

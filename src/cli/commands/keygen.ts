import { writeFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { CURVES, generateKeyPair, type Curve } from '../../artifacts/sign/index.js';
import { EXIT, type ExitCode } from '../exit.js';

export interface KeygenFlags {
  curve: string;
  out: string;
  force?: boolean;
}

/** Writes an EC private key (PKCS#8 PEM, mode 0600) to --out and its public key to OUT.pub. */
export function runKeygen(flags: KeygenFlags): ExitCode {
  if (!CURVES.includes(flags.curve as Curve))
    throw new WardenError('USAGE', `--curve must be one of ${CURVES.join(', ')}`, { kind: 'usage' });
  const pubPath = `${flags.out.replace(/\.pem$/, '')}.pub`;
  const { privatePem, publicPem } = generateKeyPair(flags.curve as Curve);
  const flag = flags.force ? 'w' : 'wx';
  try {
    writeFileSync(flags.out, privatePem, { mode: 0o600, flag });
    writeFileSync(pubPath, publicPem, { mode: 0o644, flag });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new WardenError(
      'IO_ERROR',
      err.code === 'EEXIST' ? `${err.path ?? flags.out} exists (use --force)` : err.message,
      { kind: 'usage', cause: e },
    );
  }
  process.stdout.write(`private key: ${flags.out}\npublic key: ${pubPath}\n`);
  return EXIT.ok;
}

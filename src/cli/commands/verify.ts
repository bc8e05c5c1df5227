import { readFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import { isVerificationFailure, verifyModel } from '../../artifacts/sign/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { readArg } from './sign.js';

/** Flags of `warden verify` as commander parses them. */
export interface VerifyFlags {
  publicKey?: string;
  certificateChain?: string[];
  signature?: string;
  ignorePaths?: string[];
  ignoreUnsignedFiles?: boolean;
  concurrency?: string;
}

/** Exit 0 verified, 1 verification failed (code and reason on stderr), 2 usage or input error. */
export async function runVerify(modelPath: string, flags: VerifyFlags): Promise<ExitCode> {
  if (!flags.publicKey === !flags.certificateChain?.length)
    throw new WardenError('USAGE', 'verify needs exactly one of --public-key or --certificate-chain', {
      kind: 'usage',
    });
  let publicKey: Buffer | undefined;
  if (flags.publicKey) {
    try {
      publicKey = readFileSync(flags.publicKey);
    } catch (e) {
      throw new WardenError(
        'CONFIG_INVALID',
        `cannot read public key ${flags.publicKey}: ${(e as Error).message}`,
        {
          kind: 'usage',
        },
      );
    }
  }
  try {
    const r = await verifyModel(modelPath, {
      publicKey,
      certificateChain: flags.certificateChain?.map((p) => readArg(p, 'certificate chain')),
      signaturePath: flags.signature,
      ignorePaths: flags.ignorePaths,
      ignoreUnsignedFiles: flags.ignoreUnsignedFiles ?? false,
      concurrency: positiveInt('--concurrency', flags.concurrency),
    });
    process.stdout.write(
      `verified ${modelPath}: ${r.resources} resources signed with a ${r.material === 'key' ? 'key' : 'certificate chain'}, ` +
        `root digest sha256:${r.rootDigest}\n`,
    );
    return EXIT.ok;
  } catch (e) {
    if (!isVerificationFailure(e)) throw e;
    process.stderr.write(`warden: verification failed: ${e.code}: ${e.message}\n`);
    return EXIT.findings;
  }
}

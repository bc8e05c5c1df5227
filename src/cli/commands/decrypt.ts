import { decryptPath, keyProviderFromSpec } from '../../artifacts/crypt/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { CryptFlagsSchema, parseFlags, printResult } from './encrypt.js';

/** Flags of `warden decrypt` as commander parses them. */
export interface DecryptFlags {
  kek: string;
  out?: string;
  force?: boolean;
  json?: boolean;
}

/** Exit 0 decrypted; a wrong KEK or any tampering is a typed error, exit 2, with nothing written. */
export async function runDecrypt(encrypted: string, raw: DecryptFlags): Promise<ExitCode> {
  const flags = parseFlags(CryptFlagsSchema, raw);
  const provider = keyProviderFromSpec(flags.kek);
  const r = await decryptPath(encrypted, provider, { out: flags.out, overwrite: flags.force === true });
  printResult('decrypted', r, flags.json);
  return EXIT.ok;
}

import { z } from 'zod';
import { WardenError } from '../../core/index.js';
import {
  MAX_CHUNK,
  MIN_CHUNK,
  createKekFile,
  encryptPath,
  keyProviderFromSpec,
  type CryptResult,
} from '../../artifacts/crypt/index.js';
import { EXIT, type ExitCode } from '../exit.js';

/** Flags of `warden encrypt` / `warden decrypt`, validated before anything is read. */
export const CryptFlagsSchema = z.object({
  kek: z.string().min(1, '--kek needs a key file or env:VAR'),
  out: z.string().min(1).optional(),
  force: z.boolean().optional(),
  json: z.boolean().optional(),
});

const EncryptFlagsSchema = CryptFlagsSchema.extend({
  createKek: z.boolean().optional(),
  chunkSize: z.coerce
    .number()
    .int()
    .min(MIN_CHUNK, `--chunk-size must be at least ${MIN_CHUNK}`)
    .max(MAX_CHUNK, `--chunk-size must be at most ${MAX_CHUNK}`)
    .optional(),
});

/** Flags of `warden encrypt` as commander parses them. */
export type EncryptFlags = z.input<typeof EncryptFlagsSchema>;

/** Parses flags with a schema; a mismatch is a usage error (exit 2). */
export function parseFlags<T extends z.ZodType>(schema: T, flags: unknown): z.output<T> {
  const r = schema.safeParse(flags);
  if (!r.success)
    throw new WardenError('USAGE', r.error.issues.map((i) => i.message).join('; '), { kind: 'usage' });
  return r.data;
}

export function printResult(verb: string, r: CryptResult, json: boolean | undefined): void {
  process.stdout.write(
    json
      ? `${JSON.stringify(r, null, 2)}\n`
      : `${verb} ${r.source} -> ${r.output}: ${r.files} file${r.files === 1 ? '' : 's'}, ` +
          `${r.bytes} bytes, KEK ${r.kekId}\n`,
  );
}

export async function runEncrypt(model: string, raw: EncryptFlags): Promise<ExitCode> {
  const flags = parseFlags(EncryptFlagsSchema, raw);
  if (flags.createKek && flags.kek.startsWith('env:'))
    throw new WardenError('USAGE', '--create-kek needs a file path for --kek, not env:VAR', {
      kind: 'usage',
    });
  const provider = flags.createKek ? createKekFile(flags.kek) : keyProviderFromSpec(flags.kek);
  if (flags.createKek)
    process.stderr.write(`created KEK file ${flags.kek} (mode 0600): keep it apart from the model\n`);
  const r = await encryptPath(model, provider, {
    out: flags.out,
    overwrite: flags.force === true,
    chunkSize: flags.chunkSize,
  });
  printResult('encrypted', r, flags.json);
  return EXIT.ok;
}

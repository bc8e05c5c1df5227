import { createHash } from 'node:crypto';
import { z } from 'zod';
import { signError } from './errors.js';

/**
 * The lineage record `warden sign --provenance` embeds. It rides in the statement subject's
 * in-toto `annotations` (a free-form field of the ResourceDescriptor): the OMS statement schema
 * allows extra subject fields and the reference verifier reads only `name` and `digest`, so
 * bundles stay valid for both, while the predicate stays exactly `serialization` + `resources`.
 */
export const PROVENANCE_ANNOTATION = 'dev.warden.provenance/v1';

const VERDICTS = ['pass', 'fail', 'error'] as const;
const Sha256 = z
  .object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits') })
  .strict();

export const ProvenanceSchema = z
  .object({
    /** The checkpoint the model was produced from (e.g. the pickle `warden convert` read). */
    source: z
      .object({ name: z.string().min(1).optional(), digest: Sha256 })
      .strict()
      .optional(),
    /** The scan report that cleared the model: the SHA-256 of its bytes as stored. */
    scanReport: z
      .object({
        name: z.string().min(1).optional(),
        digest: Sha256,
        verdict: z.enum(VERDICTS).optional(),
      })
      .strict()
      .optional(),
    /** The tool that converted the source into the signed files. */
    converter: z
      .object({ name: z.string().min(1), version: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((p) => p.source || p.scanReport || p.converter, 'a provenance record needs at least one field');

export type Provenance = z.infer<typeof ProvenanceSchema>;

/** Validates a record from a file, flags or a signed statement; `where` names it in the error. */
export function parseProvenance(v: unknown, where: string, code: 'USAGE' | 'MALFORMED_PAYLOAD'): Provenance {
  const r = ProvenanceSchema.safeParse(v);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
  throw signError(
    code,
    `${where} is not a valid provenance record: ${why}`,
    code === 'USAGE' ? 'usage' : 'input',
  );
}

/** Accepts `sha256:HEX` or bare hex, in either case. */
export function normalizeSha256(v: string, where: string): string {
  const hex = v.replace(/^sha256:/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw signError('USAGE', `${where} must be a SHA-256 (64 hex digits)`, 'usage');
  return hex;
}

/** The scan report entry for a report file: its digest, and its verdict when it is a Warden report. */
export function scanReportEntry(bytes: Buffer, name: string): NonNullable<Provenance['scanReport']> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let verdict: unknown;
  try {
    verdict = (JSON.parse(bytes.toString('utf8')) as { verdict?: unknown }).verdict;
  } catch {
    // not JSON (a SARIF or markdown report is fine): the digest alone is the record
  }
  const v = VERDICTS.find((x) => x === verdict);
  return { name, digest: { sha256 }, ...(v ? { verdict: v } : {}) };
}

/** Reads our annotation from a statement subject; other annotations are left alone. */
export function provenanceFromSubject(subject: Record<string, unknown>): Provenance | undefined {
  const ann = subject.annotations;
  if (ann === undefined) return undefined;
  if (typeof ann !== 'object' || ann === null || Array.isArray(ann))
    throw signError('MALFORMED_PAYLOAD', 'malformed signed statement: subject annotations must be an object');
  const rec = (ann as Record<string, unknown>)[PROVENANCE_ANNOTATION];
  return rec === undefined ? undefined : parseProvenance(rec, 'the signed provenance', 'MALFORMED_PAYLOAD');
}

import { z } from 'zod';
import {
  SeveritySchema,
  compareFindings,
  makeReport,
  type Finding,
  type Report,
  type ReportItem,
} from '../../core/index.js';
import { PolicyConfigSchema } from './policy.js';
import { scanFilesParallel } from './pool.js';
import { DEFAULT_LIMITS } from './types.js';
import { expandPaths } from './walk.js';

const LimitsSchema = z
  .object({
    maxDepth: z.number().int().min(1).max(64),
    maxInflateBytes: z.number().int().positive(),
    maxTextBytes: z.number().int().positive(),
    maxMembers: z.number().int().positive(),
    timeoutMs: z.number().int().positive(),
    maxFindings: z.number().int().positive(),
  })
  .partial()
  .strict();

/** Options of `scanPaths`, validated at the edge (CLI flags and config files land here). */
export const ScanOptionsSchema = z
  .object({
    failOn: SeveritySchema.default('high'),
    strict: z.boolean().default(false),
    policy: PolicyConfigSchema.partial().optional(),
    limits: LimitsSchema.optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
    format: z.string().optional(),
  })
  .strict();
export type ScanOptions = z.input<typeof ScanOptionsSchema>;

export interface ScanProgress {
  done: number;
  total: number;
  path: string;
}

/** Scans files and directories and returns one report; bad input lands in items, never throws. */
export async function scanPaths(
  paths: readonly string[],
  options: ScanOptions = {},
  onProgress?: (p: ScanProgress) => void,
  displayNames?: ReadonlyMap<string, string>,
): Promise<Report> {
  const opts = ScanOptionsSchema.parse(options);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const files = expandPaths(paths);
  const fileOpts = {
    strict: opts.strict,
    ...(opts.policy ? { policy: opts.policy } : {}),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    ...(opts.format ? { format: opts.format } : {}),
  };
  const results = await scanFilesParallel(files, fileOpts, opts.concurrency, (done, total, path) =>
    onProgress?.({ done, total, path }),
  );
  const findings: Finding[] = [];
  const items: ReportItem[] = [];
  const metrics: Record<string, number> = {};
  for (const r of results) {
    const shown = displayNames?.get(r.item.name);
    items.push(shown ? { ...r.item, name: shown } : r.item);
    for (const f of r.findings)
      findings.push(shown && f.location ? { ...f, location: { ...f.location, path: shown } } : f);
    for (const [k, v] of Object.entries(r.metrics)) metrics[k] = (metrics[k] ?? 0) + v;
  }
  findings.sort(compareFindings);
  metrics.files = files.length;
  metrics.bytes = items.reduce((a, i) => a + (i.size ?? 0), 0);
  metrics.ms = Math.round(performance.now() - t0);
  return makeReport({
    kind: 'scan',
    subject: { name: paths.map((p) => displayNames?.get(p) ?? p).join(' ') },
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items,
    metrics,
    failOn: opts.failOn,
  });
}

import {
  REFS,
  WardenError,
  bufferSource,
  fileSource,
  toWardenError,
  type ByteSource,
  type Finding,
  type ReportItem,
} from '../../core/index.js';
import { buildPolicy, type PolicyConfig } from './policy.js';
import { detectScanner, scannerFor } from './registry.js';
import {
  DEFAULT_LIMITS,
  type FindingInput,
  type Policy,
  type ScanContext,
  type ScanLimits,
} from './types.js';

/** Options of one scan; plain data so that worker threads can receive them. */
export interface ScanFileOptions {
  strict?: boolean;
  policy?: Partial<PolicyConfig>;
  limits?: Partial<ScanLimits>;
  /** Force a format instead of detecting it. */
  format?: string;
}

export interface FileScanResult {
  item: ReportItem;
  findings: Finding[];
  metrics: Record<string, number>;
}

const HEAD_BYTES = 4096;

interface Shared {
  path: string;
  policy: Policy;
  limits: ScanLimits;
  deadline: number;
  findings: Finding[];
  dropped: number;
  metrics: Record<string, number>;
  errors: WardenError[];
  formats: string[];
}

function makeContext(shared: Shared, member: string, depth: number): ScanContext {
  const ctx: ScanContext = {
    path: shared.path,
    member,
    depth,
    policy: shared.policy,
    limits: shared.limits,
    emit(input: FindingInput): void {
      if (shared.findings.length >= shared.limits.maxFindings) {
        shared.dropped++;
        return;
      }
      const location = { path: shared.path, ...(member ? { member } : {}), ...input.location };
      shared.findings.push({
        ...input,
        detector: input.detector ?? 'scan',
        refs: input.refs ?? REFS.supplyChain,
        location,
      });
    },
    async scanNested(name, src, opts) {
      if (depth + 1 > shared.limits.maxDepth) {
        ctx.emit({
          id: 'scan.depth-exceeded',
          severity: 'high',
          title: 'Nesting too deep to inspect',
          detail: `${name} is nested ${depth + 1} levels deep, past the limit of ${shared.limits.maxDepth}; its content was not scanned.`,
          refs: REFS.uninspectable,
        });
        return;
      }
      const child = makeContext(shared, member ? `${member}!${name}` : name, depth + 1);
      await runScanner(shared, child, src, opts?.format, opts?.speculative ?? false);
    },
    checkDeadline(): void {
      if (Date.now() > shared.deadline)
        throw new WardenError('TIMEOUT', `scan of ${shared.path} ran past ${shared.limits.timeoutMs} ms`, {
          kind: 'limit',
        });
    },
    metric(name: string, value: number): void {
      shared.metrics[name] = (shared.metrics[name] ?? 0) + value;
    },
  };
  return ctx;
}

async function runScanner(
  shared: Shared,
  ctx: ScanContext,
  src: ByteSource,
  format: string | undefined,
  speculative = false,
): Promise<void> {
  const scanner = format ? scannerFor(format) : detectScanner(src.read(0, HEAD_BYTES), src.size);
  if (!scanner) {
    shared.formats.push('unknown');
    return;
  }
  shared.formats.push(scanner.format);
  ctx.checkDeadline();
  try {
    await scanner.scan(src, ctx);
  } catch (e) {
    const err = toWardenError(e);
    // a timeout or internal fault ends the whole file; a parse error ends only this stream
    if (err.code === 'TIMEOUT' || err.kind === 'internal' || ctx.depth === 0) throw err;
    if (speculative) ctx.metric('speculative_parse_failures', 1);
    else shared.errors.push(err);
  }
}

/** Scans one in-memory or on-disk source; never throws for bad input, reports it in the item. */
export async function scanSource(
  name: string,
  src: ByteSource,
  opts: ScanFileOptions = {},
): Promise<FileScanResult> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const started = Date.now();
  const shared: Shared = {
    path: name,
    policy: buildPolicy(opts.policy, opts.strict ?? false),
    limits,
    deadline: started + limits.timeoutMs,
    findings: [],
    dropped: 0,
    metrics: {},
    errors: [],
    formats: [],
  };
  const ctx = makeContext(shared, '', 0);
  try {
    await runScanner(shared, ctx, src, opts.format);
  } catch (e) {
    shared.errors.unshift(toWardenError(e));
  }
  if (shared.dropped > 0) shared.metrics['findings_dropped'] = shared.dropped;
  const first = shared.errors[0];
  const format = shared.formats[0] ?? 'unknown';
  const status: ReportItem['status'] = shared.findings.length
    ? 'findings'
    : first
      ? 'error'
      : format === 'unknown'
        ? 'skipped'
        : 'clean';
  const item: ReportItem = {
    name,
    format,
    size: src.size,
    status,
    findings: shared.findings.length,
    ms: Date.now() - started,
    ...(first ? { error: { code: first.code, message: first.message } } : {}),
  };
  return { item, findings: shared.findings, metrics: shared.metrics };
}

/** The result of a file that could not be scanned at all (unreadable, worker died, timed out). */
export function errorResult(name: string, error: { code: string; message: string }): FileScanResult {
  return {
    item: { name, format: 'unknown', status: 'error', findings: 0, error },
    findings: [],
    metrics: {},
  };
}

export async function scanFile(path: string, opts: ScanFileOptions = {}): Promise<FileScanResult> {
  let src: ByteSource;
  try {
    src = fileSource(path);
  } catch (e) {
    return errorResult(path, toWardenError(e).toJSON());
  }
  try {
    return await scanSource(path, src, opts);
  } finally {
    src.close();
  }
}

export async function scanBytes(
  name: string,
  bytes: Uint8Array,
  opts: ScanFileOptions = {},
): Promise<FileScanResult> {
  return scanSource(name, bufferSource(bytes), opts);
}

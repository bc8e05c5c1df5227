import { WardenError, type ByteSource } from '../../../core/index.js';
import { buildPolicy } from '../../scan/policy.js';
import { DEFAULT_LIMITS, type FindingInput, type ScanContext, type ScanLimits } from '../../scan/types.js';

/** One ctx.scanNested call as a RecordingContext saw it (test support). */
export interface NestedCall {
  name: string;
  format?: string;
  speculative?: boolean;
  size: number;
  /** The first MiB of the nested source, read during the call. */
  data: Buffer;
}

/** A ScanContext for unit tests that records findings, nested scans and metrics instead of recursing. */
export interface RecordingContext {
  ctx: ScanContext;
  findings: FindingInput[];
  nested: NestedCall[];
  metrics: Record<string, number>;
  /** Finding ids, in order. */
  ids(): string[];
}

/** Builds a RecordingContext; `onNested` may inspect each nested source further while it is open. */
export function recordingContext(
  opts: {
    limits?: Partial<ScanLimits>;
    deadline?: number;
    onNested?: (call: NestedCall, src: ByteSource) => Promise<void> | void;
  } = {},
): RecordingContext {
  const findings: FindingInput[] = [];
  const nested: NestedCall[] = [];
  const metrics: Record<string, number> = {};
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const deadline = opts.deadline ?? Date.now() + limits.timeoutMs;
  const ctx: ScanContext = {
    path: 'test',
    member: '',
    depth: 0,
    policy: buildPolicy(),
    limits,
    emit: (f) => void findings.push(f),
    async scanNested(name, src, o) {
      const call: NestedCall = {
        name,
        ...(o?.format !== undefined ? { format: o.format } : {}),
        ...(o?.speculative !== undefined ? { speculative: o.speculative } : {}),
        size: src.size,
        data: Buffer.from(src.read(0, Math.min(src.size, 1 << 20))),
      };
      nested.push(call);
      await opts.onNested?.(call, src);
    },
    checkDeadline() {
      if (Date.now() > deadline) throw new WardenError('TIMEOUT', 'test deadline passed', { kind: 'limit' });
    },
    metric(name, value) {
      metrics[name] = (metrics[name] ?? 0) + value;
    },
  };
  return { ctx, findings, nested, metrics, ids: () => findings.map((f) => f.id) };
}

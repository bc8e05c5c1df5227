/**
 * Scans a pickle source: runs the symbolic VM over every stacked stream (legacy torch files hold
 * several, then raw storage bytes), classifies each imported global with the policy and emits
 * findings as soon as they are seen, so they survive a later parse error.
 */
import { SeqReader, bufferSource, isWardenError, type ByteSource } from '../../../core/index.js';
import { limitExceeded } from '../../errors.js';
import type { ScanContext } from '../../scan/types.js';
import { canStartStream } from './opcodes.js';
import type { VmFinding, VmSink } from './sink.js';
import type { BytesValue, GlobalRef } from './values.js';
import { PickleVM } from './vm.js';

/** Options of scanPickle for callers that know more than the bytes (e.g. a joblib file name). */
export interface ScanPickleOptions {
  /** Recognise joblib array data after NumpyArrayWrapper objects (default true). */
  joblib?: boolean;
  /** Stacked streams followed at most (default 64); the rest is treated as data. */
  maxStreams?: number;
}

/** Distinct globals remembered per stream for de-duplication before the stream is refused. */
const MAX_DISTINCT_GLOBALS = 100_000;
/** Nested payloads (pickle.loads(b'...')) queued per stream; more are reported, not scanned. */
const MAX_NESTED = 32;

interface Nested {
  loader: string;
  bytes: BytesValue;
  offset: number;
  format: 'pickle' | undefined;
}

/** Turns VM observations into findings: the policy verdict per global, once per stream. */
class FindingSink implements VmSink {
  seen = new Set<string>();
  nested: Nested[] = [];
  globals = 0;

  constructor(private readonly ctx: ScanContext) {}

  newStream(): void {
    this.seen.clear();
  }

  onImport(ref: GlobalRef): void {
    const key = `g\n${ref.module}\n${ref.name}`;
    if (this.seen.has(key)) return;
    if (this.seen.size >= MAX_DISTINCT_GLOBALS)
      throw limitExceeded(`more than ${MAX_DISTINCT_GLOBALS} distinct globals in one pickle stream`);
    this.seen.add(key);
    this.globals++;
    const verdict = this.ctx.policy.classify(ref.module, ref.name);
    if (verdict.rule === 'allow' || verdict.severity === null) return;
    const q = ref.qualified;
    const deny = verdict.rule === 'deny';
    this.ctx.emit({
      id: deny ? 'pickle.dangerous-global' : 'pickle.unknown-global',
      detector: 'pickle',
      severity: verdict.severity,
      title: deny ? `Pickle imports dangerous global ${q}` : `Pickle imports unknown global ${q}`,
      detail: `The pickle imports ${q} at byte ${ref.offset}: ${verdict.reason}`,
      location: { offset: ref.offset },
    });
  }

  onFinding(f: VmFinding): void {
    const key = `f\n${f.id}\n${f.key ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.ctx.emit({
      id: f.id,
      detector: 'pickle',
      severity: f.severity,
      title: f.title,
      detail: f.detail,
      location: { offset: f.offset },
    });
  }

  onNested(loader: string, bytes: BytesValue, offset: number, format: 'pickle' | undefined): void {
    if (this.nested.length < MAX_NESTED) this.nested.push({ loader, bytes, offset, format });
  }
}

/** Scans queued nested payloads; called after each stream and before a parse error propagates. */
async function flushNested(sink: FindingSink, src: ByteSource, ctx: ScanContext): Promise<void> {
  const queue = sink.nested;
  sink.nested = [];
  for (const n of queue) {
    const b = n.bytes;
    const nestedSrc = b.data ? bufferSource(b.data) : src.slice(b.offset, b.offset + b.length);
    ctx.metric('pickle_nested', 1);
    await ctx.scanNested(`${n.loader}@${n.offset}`, nestedSrc, n.format ? { format: n.format } : undefined);
  }
}

/** True when the bytes at the reader position can begin another stacked stream. */
function nextStreamStarts(r: SeqReader): boolean {
  const start = r.pos;
  const b0 = r.u8();
  const b1 = r.u8();
  r.pos = start;
  return canStartStream(b0, b1);
}

/**
 * Scans `src` as one or more stacked pickle streams. Throws ArtifactError (FORMAT_INVALID,
 * TRUNCATED, LIMIT_EXCEEDED) when the first stream is malformed; findings emitted before stay.
 */
export async function scanPickle(
  src: ByteSource,
  ctx: ScanContext,
  opts: ScanPickleOptions = {},
): Promise<void> {
  const sink = new FindingSink(ctx);
  const r = new SeqReader(src, Math.min(1 << 20, Math.max(4096, src.size)));
  const vm = new PickleVM(r, sink, { joblib: opts.joblib ?? true, tick: () => ctx.checkDeadline() });
  const maxStreams = opts.maxStreams ?? 64;
  let streams = 0;
  try {
    while (!r.eof && streams < maxStreams) {
      if (streams > 0 && !nextStreamStarts(r)) break;
      const start = r.pos;
      vm.resetState();
      sink.newStream();
      try {
        vm.run();
      } catch (e) {
        await flushNested(sink, src, ctx);
        // after a complete stream, what follows may be raw data (legacy torch storages)
        if (streams > 0 && isWardenError(e) && (e.code === 'FORMAT_INVALID' || e.code === 'TRUNCATED')) {
          r.pos = start;
          break;
        }
        throw e;
      }
      streams++;
      await flushNested(sink, src, ctx);
      if (vm.halted) break;
    }
    if (!r.eof) ctx.metric('pickle_trailing_bytes', r.size - r.pos);
  } finally {
    ctx.metric('pickle_streams', streams);
    ctx.metric('pickle_opcodes', vm.ops);
    ctx.metric('pickle_globals', sink.globals);
    if (vm.persids) ctx.metric('pickle_persistent_ids', vm.persids);
    if (vm.joblibArrays) ctx.metric('pickle_joblib_arrays', vm.joblibArrays);
  }
}

import { REFS, type ByteSource, type Severity } from '../../../core/index.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { scanTemplate } from '../text/jinja.js';
import { CappedEmitter, clip } from '../text/shared.js';
import { GgufReader, type GgufHeader, type GgufTensorInfo } from './reader.js';
import { GGML_TYPES, GGUF_LIMITS, GgufType } from './types.js';

/**
 * GGUF (llama.cpp): bounded header parse, tensor-info validation against the file size and
 * alignment, and the Jinja SSTI rules on `tokenizer.chat_template` (and named variants
 * `tokenizer.chat_template.<name>`). Tensor data is never read.
 *
 * Severities: out-of-bounds or overlapping tensors are `high` (a loader that trusts offsets reads
 * other tensors or past the mapping); declarations a loader rejects (unknown types, too many dims,
 * misalignment, duplicate keys or names) are `medium`.
 */

const DEFAULT_ALIGNMENT = 32;
const TEMPLATE_KEY = /template/i;

export function detectGguf(head: Buffer, size: number): boolean {
  return size >= 8 && head.length >= 4 && head.toString('latin1', 0, 4) === 'GGUF';
}

function tensorBytes(t: GgufTensorInfo): { bytes: number | null; problem?: string } {
  const info = GGML_TYPES.get(t.type);
  if (!info) return { bytes: null, problem: `unknown ggml type ${t.type}` };
  let numel = 1n;
  for (const d of t.dims) numel *= BigInt(d);
  if (numel % BigInt(info.blockSize) !== 0n)
    return {
      bytes: null,
      problem: `${numel} elements is not a multiple of the ${info.name} block size ${info.blockSize}`,
    };
  const bytes = (numel / BigInt(info.blockSize)) * BigInt(info.typeSize);
  if (bytes >= 2n ** 53n) return { bytes: null, problem: `declared size ${bytes} bytes is absurd` };
  return { bytes: Number(bytes) };
}

function checkTensors(header: GgufHeader, alignment: number, size: number, out: CappedEmitter): void {
  const emit = (id: string, severity: Severity, title: string, detail: string, offset: number): void =>
    out.emit({ id, detector: 'gguf', severity, title, detail, location: { offset }, refs: REFS.malformed });
  const dataStart = Math.ceil(header.end / alignment) * alignment;
  const dataSize = Math.max(0, size - dataStart);
  const names = new Set<string>();
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  for (const t of header.tensors) {
    const label = `tensor '${clip(t.name, 80)}'`;
    if (names.has(t.name))
      emit('gguf.duplicate-tensor', 'medium', 'Duplicate tensor name', `${label} appears twice`, t.pos);
    names.add(t.name);
    if (t.dims.length > GGUF_LIMITS.loaderMaxDims)
      emit(
        'gguf.invalid-tensor',
        'medium',
        'Tensor has too many dimensions',
        `${label} has ${t.dims.length} dimensions (ggml allows ${GGUF_LIMITS.loaderMaxDims})`,
        t.pos,
      );
    const { bytes, problem } = tensorBytes(t);
    if (problem)
      emit('gguf.invalid-tensor', 'medium', 'Invalid tensor declaration', `${label}: ${problem}`, t.pos);
    if (t.offset % alignment !== 0)
      emit(
        'gguf.misaligned-tensor',
        'medium',
        'Tensor offset is not aligned',
        `${label} offset ${t.offset} is not a multiple of ${alignment}`,
        t.pos,
      );
    if (bytes === null) continue;
    if (t.offset + bytes > dataSize) {
      emit(
        'gguf.tensor-out-of-bounds',
        'high',
        'Tensor data outside the file',
        `${label} spans [${t.offset}, ${t.offset + bytes}) of a ${dataSize}-byte data section`,
        t.pos,
      );
      continue;
    }
    if (bytes > 0) spans.push({ name: t.name, begin: t.offset, end: t.offset + bytes });
  }
  spans.sort((a, b) => a.begin - b.begin);
  let prev: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (prev && s.begin < prev.end)
      emit(
        'gguf.overlapping-tensors',
        'high',
        'Tensors share bytes',
        `tensor '${clip(s.name, 80)}' overlaps '${clip(prev.name, 80)}'`,
        0,
      );
    if (!prev || s.end > prev.end) prev = s;
  }
}

function alignmentOf(header: GgufHeader, out: CappedEmitter): number {
  const kv = header.kvs.find((k) => k.key === 'general.alignment');
  if (!kv) return DEFAULT_ALIGNMENT;
  const v = kv.value;
  if (kv.type === GgufType.UINT32 && typeof v === 'number' && v > 0 && (v & (v - 1)) === 0) return v;
  out.emit({
    id: 'gguf.invalid-alignment',
    detector: 'gguf',
    severity: 'medium',
    title: 'Invalid general.alignment',
    detail: `general.alignment must be a non-zero power-of-two u32 (got type ${kv.type}, value ${String(v)}); using ${DEFAULT_ALIGNMENT}`,
    location: { offset: kv.offset },
    refs: REFS.malformed,
  });
  return DEFAULT_ALIGNMENT;
}

export const ggufScanner: Scanner = {
  format: 'gguf',
  detect: detectGguf,
  scan(src: ByteSource, ctx: ScanContext): void {
    // keep only strings of template keys (chat_template, named variants, other *template* keys)
    const reader = new GgufReader(src, {
      keepString: (key) => TEMPLATE_KEY.test(key),
      checkDeadline: () => ctx.checkDeadline(),
    });
    const header = reader.read();
    ctx.metric('gguf_tensors', header.tensors.length);
    const out = new CappedEmitter(ctx);
    const seen = new Set<string>();
    for (const kv of header.kvs) {
      if (seen.has(kv.key))
        out.emit({
          id: 'gguf.duplicate-key',
          detector: 'gguf',
          severity: 'medium',
          title: 'Duplicate metadata key',
          detail: `'${clip(kv.key, 80)}' is defined more than once; readers disagree on which value wins`,
          location: { offset: kv.offset },
          refs: REFS.malformed,
        });
      seen.add(kv.key);
      if (typeof kv.value === 'string')
        scanTemplate(ctx, kv.value, {
          where: `GGUF ${clip(kv.key, 80)}`,
          offset: kv.offset,
          detector: 'gguf',
        });
      else if (kv.skippedBytes !== undefined && TEMPLATE_KEY.test(kv.key))
        out.emit({
          id: 'gguf.template-too-large',
          detector: 'gguf',
          severity: 'medium',
          title: 'Chat template too large to inspect',
          detail: `${kv.key} is ${kv.skippedBytes} bytes, over the ${GGUF_LIMITS.maxKeptString}-byte limit; it was not checked`,
          location: { offset: kv.offset },
          refs: REFS.uninspectable,
        });
    }
    const alignment = alignmentOf(header, out);
    checkTensors(header, alignment, src.size, out);
    out.flush();
  },
};

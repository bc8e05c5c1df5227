import { bufferSource, type ByteSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { ProtoReader, WIRE_LEN } from '../protobuf.js';
import { decodeUtf8 } from '../text/shared.js';
import { MODEL_FIELD_WIRE, Model } from './schema.js';
import { OnnxWalker } from './walker.js';

/**
 * ONNX models (a serialised onnx.ModelProto). Detection is strict because protobuf has no magic:
 * the first field must be `ir_version` (field 1, varint 1..20), every following field in the head
 * must be a ModelProto field with the right wire type and a length that fits the file, and the
 * string fields (producer, version, domain) must be printable UTF-8. The scan walks the whole
 * message with the bounded wire reader, never materialising tensor data.
 */

const STRING_FIELDS = new Set<number>([Model.producerName, Model.producerVersion, Model.domain]);
export const ONNX_MAX_DEPTH = 64;

function printable(b: Buffer): boolean {
  const s = decodeUtf8(b);
  if (s === null) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

export function detectOnnx(head: Buffer, size: number): boolean {
  if (head.length < 4 || head[0] !== 0x08) return false;
  const r = new ProtoReader(bufferSource(head));
  try {
    const [ir, p1] = r.varint(1, head.length);
    if (ir < 1 || ir > 20) return false;
    let pos = p1;
    let fields = 1;
    while (pos < head.length) {
      const [tag, p2] = r.varint(pos, head.length);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (MODEL_FIELD_WIRE.get(field) !== wire || field === Model.irVersion) return false;
      if (wire === WIRE_LEN) {
        const [len, p3] = r.varint(p2, head.length);
        if (len > size - p3) return false;
        if (STRING_FIELDS.has(field) && p3 + len <= head.length && !printable(head.subarray(p3, p3 + len)))
          return false;
        pos = p3 + len;
      } else {
        pos = r.varint(p2, head.length)[1];
      }
      fields++;
    }
    return fields >= 2;
  } catch (e) {
    // a field cut by the end of the head is fine (when the file goes on); anything else is not ONNX
    return e instanceof ArtifactError && e.code === 'TRUNCATED' && head.length < size;
  }
}

export const onnxScanner: Scanner = {
  format: 'onnx',
  detect: detectOnnx,
  scan(src: ByteSource, ctx: ScanContext): void {
    const reader = new ProtoReader(src, { maxDepth: ONNX_MAX_DEPTH });
    const walker = new OnnxWalker(reader, ctx);
    walker.model(0, src.size);
    walker.finish();
    ctx.metric('onnx_nodes', walker.nodes);
    ctx.metric('onnx_tensors', walker.tensors);
  },
};

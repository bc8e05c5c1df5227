import { bufferSource } from '../../core/index.js';
import { ArtifactError } from '../errors.js';
import { ProtoReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './protobuf.js';

/**
 * Format detection for protobuf files, which have no magic: the first bytes (the 4 KiB head) must
 * parse as the expected message, field by field and into nested messages, with every field number
 * known, every wire type right, every length inside its parent and the file, and string fields
 * valid UTF-8 without control characters. Random or tensor bytes fail within a few fields.
 */

/** What a field holds: a wire type, a text string, or a nested message. */
export type FieldSpec = number | 'string' | WireSchema;
/** Expected fields of a message; `open` messages also accept unknown fields (not descended). */
export interface WireSchema {
  fields: ReadonlyMap<number, FieldSpec>;
  open?: boolean;
}

export function schema(entries: Array<[number, FieldSpec]>, open = false): WireSchema {
  return { fields: new Map(entries), open };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8 without control characters (a string cut by the head end is only checked for those). */
function cleanText(b: Buffer, cut: boolean): boolean {
  for (const c of b) if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  if (cut) return true;
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `head` (the first bytes of a `size`-byte file) reads as `root` for at least
 * `minFields` fields, or as a complete message when the whole file is in the head.
 */
export function plausibleHead(head: Buffer, size: number, root: WireSchema, minFields: number): boolean {
  const r = new ProtoReader(bufferSource(head));
  const stack: Array<{ end: number; schema: WireSchema }> = [{ end: size, schema: root }];
  let pos = 0;
  let fields = 0;
  try {
    while (pos < head.length) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= pos) stack.pop();
      const frame = stack[stack.length - 1];
      if (!frame) return false; // bytes after the root message ended
      const [tag, p1] = r.varint(pos, head.length);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      const spec = frame.schema.fields.get(field);
      if (spec === undefined && !(frame.schema.open === true && field >= 1 && field <= 64)) return false;
      const expected = spec === undefined ? wire : typeof spec === 'number' ? spec : WIRE_LEN;
      if (wire !== expected) return false;
      let next: number;
      if (wire === WIRE_LEN) {
        const [len, p2] = r.varint(p1, head.length);
        if (len > frame.end - p2) return false;
        if (typeof spec === 'object') {
          stack.push({ end: p2 + len, schema: spec });
          next = p2;
        } else {
          if (
            spec === 'string' &&
            !cleanText(head.subarray(p2, Math.min(p2 + len, head.length)), p2 + len > head.length)
          )
            return false;
          next = p2 + len;
        }
      } else if (wire === WIRE_VARINT) next = r.varint(p1, head.length)[1];
      else if (wire === WIRE_I64) next = p1 + 8;
      else if (wire === WIRE_I32) next = p1 + 4;
      else return false;
      if (next > frame.end) return false;
      pos = next;
      fields++;
    }
  } catch (e) {
    // a varint cut by the end of the head is fine when the file goes on
    if (!(e instanceof ArtifactError) || head.length >= size) return false;
  }
  if (head.length >= size) return fields >= 2 && pos === size;
  return fields >= minFields;
}

/**
 * Minimal protobuf wire-format encoder used to build ONNX / SavedModel fixtures in tests and
 * benchmarks. A message is a list of [field, value] pairs: numbers are varints, strings and
 * buffers are length-delimited, nested arrays are sub-messages.
 */

/** A field value: varint, bytes/string, nested message, or an explicit fixed32/fixed64. */
export type PbValue =
  number | bigint | string | Uint8Array | PbMessage | { fixed32: number } | { fixed64: bigint };
/** An encodable message: ordered (field number, value) pairs. */
export type PbMessage = Array<[number, PbValue]>;

export function varintBytes(v: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return out;
}

function isMessage(v: PbValue): v is PbMessage {
  return Array.isArray(v);
}

export function encodeMessage(msg: PbMessage): Buffer {
  const parts: Buffer[] = [];
  for (const [field, value] of msg) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      parts.push(Buffer.from([...varintBytes(field * 8), ...varintBytes(value)]));
    } else if (typeof value === 'string' || value instanceof Uint8Array || isMessage(value)) {
      const body =
        typeof value === 'string'
          ? Buffer.from(value, 'utf8')
          : value instanceof Uint8Array
            ? Buffer.from(value)
            : encodeMessage(value);
      parts.push(Buffer.from([...varintBytes(field * 8 + 2), ...varintBytes(body.length)]), body);
    } else if ('fixed32' in value) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(value.fixed32 >>> 0);
      parts.push(Buffer.from(varintBytes(field * 8 + 5)), b);
    } else {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, value.fixed64));
      parts.push(Buffer.from(varintBytes(field * 8 + 1)), b);
    }
  }
  return Buffer.concat(parts);
}

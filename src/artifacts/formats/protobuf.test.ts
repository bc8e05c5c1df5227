import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/index.js';
import { ArtifactError } from '../errors.js';
import { ProtoReader, WIRE_LEN, type ProtoField } from './protobuf.js';
import { encodeMessage, varintBytes } from './protobuf-writer.js';

function all(buf: Buffer): ProtoField[] {
  const r = new ProtoReader(bufferSource(buf));
  return [...r.fields(0, buf.length)];
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArtifactError);
    return (e as ArtifactError).code;
  }
  return 'none';
}

describe('ProtoReader', () => {
  it('round-trips varints, strings, nested messages and fixed fields', () => {
    const buf = encodeMessage([
      [1, 150],
      [2, 'hello'],
      [3, [[1, 7]]],
      [4, { fixed32: 0xdeadbeef }],
      [5, { fixed64: 2n ** 40n + 3n }],
      [6, 2n ** 53n - 1n],
    ]);
    const r = new ProtoReader(bufferSource(buf));
    const fs = [...r.fields(0, buf.length)];
    expect(fs.map((f) => f.field)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fs[0]!.value).toBe(150);
    expect(r.string(fs[1]!)).toBe('hello');
    const nested = [...r.fields(fs[2]!.start, fs[2]!.end)];
    expect(nested[0]!.value).toBe(7);
    expect(fs[3]!.value).toBe(0xdeadbeef);
    expect(fs[4]!.value).toBe(2 ** 40 + 3);
    expect(fs[5]!.value).toBe(2 ** 53 - 1);
  });

  it('decodes negative int64 varints', () => {
    const buf = encodeMessage([[1, -5n]]);
    expect(varintBytes(-5n)).toHaveLength(10);
    expect(all(buf)[0]!.value).toBe(-5);
  });

  it('rejects a length past the parent message', () => {
    const buf = Buffer.from([0x12, 0x05, 0x61]);
    expect(code(() => all(buf))).toBe('TRUNCATED');
    // nested field longer than its parent, though the file has the bytes
    const inner = Buffer.from([0x0a, 0x02, 0x12, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]);
    const r = new ProtoReader(bufferSource(inner));
    const outer = [...r.fields(0, 4)];
    expect(outer[0]!.wire).toBe(WIRE_LEN);
    expect(code(() => [...r.fields(outer[0]!.start, outer[0]!.end)])).toBe('TRUNCATED');
  });

  it('rejects overlong varints, group wire types and field 0', () => {
    expect(code(() => all(Buffer.from([0x08, ...new Array<number>(11).fill(0xff)])))).toBe('FORMAT_INVALID');
    expect(code(() => all(Buffer.from([0x0b, 0x0c])))).toBe('FORMAT_INVALID');
    expect(code(() => all(Buffer.from([0x00, 0x01])))).toBe('FORMAT_INVALID');
    expect(
      code(() => all(Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))),
    ).toBe('FORMAT_INVALID');
  });

  it('handles a 2^63 length without allocating', () => {
    const buf = Buffer.from([0x12, ...varintBytes(2n ** 63n), 0x00]);
    expect(code(() => all(buf))).toBe('TRUNCATED');
  });

  it('bounds bytes() and enforces depth', () => {
    const buf = encodeMessage([[1, Buffer.alloc(100)]]);
    const r = new ProtoReader(bufferSource(buf), { maxDepth: 3 });
    const f = [...r.fields(0, buf.length)][0]!;
    expect(code(() => r.bytes(f, 10))).toBe('LIMIT_EXCEEDED');
    expect(r.bytes(f, 100)).toHaveLength(100);
    expect(code(() => r.enter(4))).toBe('DEPTH_EXCEEDED');
    expect(r.string(f, 4)).toHaveLength(5);
  });

  it('reads packed varints with a cap', () => {
    const buf = encodeMessage([[1, Buffer.from([1, 2, 0x96, 0x01])]]);
    const r = new ProtoReader(bufferSource(buf));
    const f = [...r.fields(0, buf.length)][0]!;
    expect(r.packedVarints(f, 10)).toEqual([1, 2, 150]);
    expect(code(() => r.packedVarints(f, 2))).toBe('LIMIT_EXCEEDED');
  });

  it('reads across window boundaries', () => {
    const msg: Array<[number, string]> = [];
    for (let i = 0; i < 500; i++) msg.push([1, `name-${i}`]);
    const buf = encodeMessage(msg);
    const r = new ProtoReader(bufferSource(buf), { window: 7 });
    const names = [...r.fields(0, buf.length)].map((f) => r.string(f));
    expect(names[499]).toBe('name-499');
  });
});

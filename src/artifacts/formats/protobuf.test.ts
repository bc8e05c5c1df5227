import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/index.js';
import { ArtifactError } from '../errors.js';
import { detectOnnx } from './onnx/scanner.js';
import { plausibleHead, schema } from './protobuf-head.js';
import { ProtoReader, WIRE_LEN, WIRE_VARINT, type ProtoField } from './protobuf.js';
import { detectSavedModel } from './savedmodel/scanner.js';
import { rng } from './text/testing.js';
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

describe('plausibleHead (protobuf detection)', () => {
  const inner = schema([
    [1, 'string'],
    [2, WIRE_VARINT],
  ]);
  const root = schema([
    [1, WIRE_VARINT],
    [2, inner],
    [3, WIRE_LEN],
  ]);

  it('accepts a matching message and rejects wrong fields, wire types and strings', () => {
    const ok = encodeMessage([
      [1, 3],
      [
        2,
        [
          [1, 'name'],
          [2, 5],
        ],
      ],
      [3, Buffer.alloc(3)],
    ]);
    expect(plausibleHead(ok, ok.length, root, 3)).toBe(true);
    expect(
      plausibleHead(
        encodeMessage([
          [4, 1],
          [1, 2],
          [1, 3],
        ]),
        6,
        root,
        2,
      ),
    ).toBe(false);
    const badWire = encodeMessage([
      [1, 'x'],
      [1, 2],
      [1, 3],
    ]);
    expect(plausibleHead(badWire, badWire.length, root, 2)).toBe(false);
    const ctl = encodeMessage([
      [2, [[1, 'a\u0001b']]],
      [1, 1],
    ]);
    expect(plausibleHead(ctl, ctl.length, root, 2)).toBe(false);
    // trailing garbage after a complete message
    expect(plausibleHead(Buffer.concat([ok, Buffer.from([0xff])]), ok.length + 1, root, 3)).toBe(false);
  });

  it('accepts a head cut inside a long field when the file goes on', () => {
    const long = encodeMessage([
      [1, 1],
      [
        2,
        [
          [1, 'abc'],
          [2, 1],
        ],
      ],
      [3, Buffer.alloc(10_000)],
    ]);
    expect(plausibleHead(long.subarray(0, 4096), long.length, root, 3)).toBe(true);
    expect(plausibleHead(long.subarray(0, 4096), long.length, root, 6)).toBe(false);
  });

  it('rejects random and float tensor bytes', () => {
    const rand = rng(42);
    let hits = 0;
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(Array.from({ length: 256 }, () => Math.floor(rand() * 256)));
      if (i % 2) b[0] = 0x12; // like a SavedModel's first tag
      if (detectOnnx(b, 1 << 20) || detectSavedModel(b, 1 << 20)) hits++;
    }
    const floats = Buffer.alloc(4096);
    for (let i = 0; i < 1024; i++) floats.writeFloatLE(Math.sin(i) * 0.02, i * 4);
    floats[0] = 0x12;
    expect(detectSavedModel(floats, 1 << 20)).toBe(false);
    expect(hits).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { scanBytes } from '../../scan/engine.js';
import { detectGguf } from './scanner.js';
import { LeWriter, buildGguf, ggufHeader, type GgufTensorSpec, type GgufValue } from './writer.js';

const F32 = 0;
const Q4_0 = 2;
const BENIGN_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n'}}{% endfor %}";
const EVIL_TEMPLATE =
  "{% for c in [].__class__.__base__.__subclasses__() %}{% if c.__name__ == 'catch_warnings' %}{{ c()._module.__builtins__['__import__']('os').system('id') }}{% endif %}{% endfor %}";

function model(
  template = BENIGN_TEMPLATE,
  extra: Array<[string, GgufValue]> = [],
): Array<[string, GgufValue]> {
  return [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.alignment', { type: 'u32', value: 32 }],
    ['tokenizer.ggml.tokens', { type: 'array', elem: 'string', values: ['<s>', '</s>', 'hello', 'world'] }],
    ['tokenizer.ggml.scores', { type: 'array', elem: 'f32', values: [0, 0, -1, -2] }],
    ['tokenizer.chat_template', { type: 'string', value: template }],
    ...extra,
  ];
}

const TENSORS: GgufTensorSpec[] = [
  { name: 'tok_embd.weight', dims: [8, 4], type: F32, offset: 0, bytes: 128 },
  { name: 'blk.0.attn_q.weight', dims: [64, 2], type: Q4_0, offset: 128, bytes: 72 },
];

async function scan(buf: Buffer): Promise<{ ids: string[]; code?: string; status: string }> {
  const r = await scanBytes('m.gguf', buf);
  return {
    ids: r.findings.map((f) => `${f.id}:${f.severity}`),
    code: r.item.error?.code,
    status: r.item.status,
  };
}

describe('GGUF', () => {
  it('detects the magic', () => {
    const b = buildGguf(model(), TENSORS);
    expect(detectGguf(b, b.length)).toBe(true);
    expect(detectGguf(Buffer.from('GGML....'), 8)).toBe(false);
  });

  it.each([1, 2, 3])('reads a clean v%i file', async (version) => {
    const r = await scanBytes('m.gguf', buildGguf(model(), TENSORS, { version }));
    expect(r.item.format).toBe('gguf');
    expect(r.item.status).toBe('clean');
    expect(r.metrics['gguf_tensors']).toBe(2);
  });

  it('runs the SSTI rules on the chat template', async () => {
    const res = await scan(buildGguf(model(EVIL_TEMPLATE), TENSORS));
    expect(res.ids).toContain('jinja.ssti-chain:critical');
    expect(res.ids).toContain('jinja.subclass-loop:critical');
  });

  it('runs the SSTI rules on named templates', async () => {
    const kv: Array<[string, GgufValue]> = [
      ['tokenizer.chat_template.tool_use', { type: 'string', value: EVIL_TEMPLATE }],
    ];
    expect((await scan(buildGguf(model(BENIGN_TEMPLATE, kv), TENSORS))).ids).toContain(
      'jinja.ssti-chain:critical',
    );
  });

  it('flags out-of-bounds and overlapping tensors', async () => {
    const oob = [...TENSORS, { name: 'x', dims: [1024], type: F32, offset: 224, bytes: 0 }];
    expect((await scan(buildGguf(model(), oob))).ids).toContain('gguf.tensor-out-of-bounds:high');
    const overlap = [...TENSORS, { name: 'y', dims: [16], type: F32, offset: 96, bytes: 64 }];
    expect((await scan(buildGguf(model(), overlap))).ids).toContain('gguf.overlapping-tensors:high');
  });

  it('flags invalid declarations as medium', async () => {
    const bad: GgufTensorSpec[] = [
      ...TENSORS,
      { name: 'tok_embd.weight', dims: [8], type: F32, offset: 224, bytes: 32 },
      { name: 'odd', dims: [33], type: Q4_0, offset: 256, bytes: 0 },
      { name: 'unknown', dims: [4], type: 4, offset: 288, bytes: 0 },
      { name: 'misaligned', dims: [1], type: F32, offset: 290, bytes: 4 },
      { name: 'five', dims: [1, 1, 1, 1, 1], type: F32, offset: 320, bytes: 4 },
    ];
    const kv: Array<[string, GgufValue]> = [['general.architecture', { type: 'string', value: 'again' }]];
    const res = await scan(buildGguf(model(BENIGN_TEMPLATE, kv), bad));
    expect(res.ids).toEqual(
      expect.arrayContaining([
        'gguf.duplicate-tensor:medium',
        'gguf.invalid-tensor:medium',
        'gguf.misaligned-tensor:medium',
        'gguf.duplicate-key:medium',
      ]),
    );
    expect(res.ids.every((i) => i.endsWith(':medium'))).toBe(true);
  });

  it('reports a bad alignment and falls back to 32', async () => {
    const kvs = model().map(([k, v]): [string, GgufValue] =>
      k === 'general.alignment' ? [k, { type: 'u32', value: 3 }] : [k, v],
    );
    expect((await scan(buildGguf(kvs, TENSORS))).ids).toEqual(['gguf.invalid-alignment:medium']);
  });

  it('bounds nested arrays', async () => {
    let v: GgufValue = { type: 'array', elem: 'u32', values: [1] };
    for (let i = 0; i < 10; i++) v = { type: 'array', elem: 'array', values: [v] };
    expect((await scan(buildGguf([['deep', v]], []))).code).toBe('DEPTH_EXCEEDED');
    const ok: GgufValue = {
      type: 'array',
      elem: 'array',
      values: [{ type: 'array', elem: 'u32', values: [1, 2] }],
    };
    expect((await scan(buildGguf([['nested', ok]], []))).status).toBe('clean');
  });

  it('rejects unsupported versions and big-endian files', async () => {
    const b = buildGguf(model(), TENSORS);
    b.writeUInt32LE(4, 4);
    expect((await scan(b)).code).toBe('UNSUPPORTED');
    b.writeUInt32BE(3, 4);
    expect((await scan(b)).code).toBe('UNSUPPORTED');
  });

  it('rejects implausible counts and lengths without allocating', async () => {
    const huge = new LeWriter()
      .raw(Buffer.from('GGUF'))
      .u32(3)
      .u64(2n ** 62n)
      .u64(1)
      .toBuffer();
    expect((await scan(huge)).code).toBe('LIMIT_EXCEEDED');
    const many = new LeWriter().raw(Buffer.from('GGUF')).u32(3).u64(1000).u64(1000).toBuffer();
    expect((await scan(many)).code).toBe('TRUNCATED');
    const longKey = new LeWriter()
      .raw(Buffer.from('GGUF'))
      .u32(3)
      .u64(0)
      .u64(1)
      .u64(2n ** 63n)
      .u32(8)
      .toBuffer();
    expect((await scan(Buffer.concat([longKey, Buffer.alloc(64)]))).code).toBe('TRUNCATED');
    const longArray = new LeWriter()
      .raw(Buffer.from('GGUF'))
      .u32(3)
      .u64(0)
      .u64(1)
      .str('a')
      .u32(9)
      .u32(8)
      .u64(2n ** 39n)
      .toBuffer();
    expect((await scan(Buffer.concat([longArray, Buffer.alloc(64)]))).code).toBe('TRUNCATED');
  });

  it('rejects too many dimensions and unknown value types', async () => {
    const dims = new LeWriter().raw(ggufHeader([], [])).toBuffer();
    dims.writeBigUInt64LE(1n, 8);
    const t = new LeWriter().str('t').u32(1000).toBuffer();
    expect((await scan(Buffer.concat([dims, t, Buffer.alloc(64)]))).code).toBe('FORMAT_INVALID');
    const badType = new LeWriter().raw(Buffer.from('GGUF')).u32(3).u64(0).u64(1).str('k').u32(77).toBuffer();
    expect((await scan(Buffer.concat([badType, Buffer.alloc(64)]))).code).toBe('FORMAT_INVALID');
  });
});

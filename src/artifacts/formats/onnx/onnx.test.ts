import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBytes } from '../../scan/engine.js';
import { encodeMessage, type PbMessage } from '../protobuf-writer.js';
import { detectSavedModel } from '../savedmodel/scanner.js';
import { checkExternalLocation } from './schema.js';
import { detectOnnx } from './scanner.js';

// testdata/*.onnx were written by the onnx 1.23 Python package (helper.make_model / onnx.save).
const DATA = join(import.meta.dirname, 'testdata');

function tensor(name: string, dims: number[], dataType: number, extra: PbMessage = []): PbMessage {
  return [...dims.map((d): [number, number] => [1, d]), [2, dataType], [8, name], ...extra];
}

function external(location: string): PbMessage {
  return [
    [
      13,
      [
        [1, 'location'],
        [2, location],
      ],
    ],
    [14, 1],
  ];
}

function model(graph: PbMessage, opsets: string[] = [''], extra: PbMessage = []): Buffer {
  return encodeMessage([
    [1, 9],
    [2, 'tests'],
    [7, graph],
    ...opsets.map((d): [number, PbMessage] => [
      8,
      [
        [1, d],
        [2, 17],
      ],
    ]),
    ...extra,
  ]);
}

function node(op: string, domain = '', attrs: PbMessage[] = []): [number, PbMessage] {
  return [
    1,
    [
      [1, 'x'],
      [2, 'y'],
      [3, `n_${op}`],
      [4, op],
      ...(domain ? [[7, domain] as [number, string]] : []),
      ...attrs.map((a): [number, PbMessage] => [5, a]),
    ],
  ];
}

async function ids(buf: Buffer): Promise<string[]> {
  const r = await scanBytes('m.onnx', buf);
  expect(r.item.format).toBe('onnx');
  expect(r.item.error).toBeUndefined();
  return r.findings.map((f) => `${f.id}:${f.severity}`);
}

describe('ONNX detection', () => {
  it('accepts ModelProto heads and rejects look-alikes', () => {
    const plain = readFileSync(join(DATA, 'plain.onnx'));
    expect(detectOnnx(plain, plain.length)).toBe(true);
    const m = model([node('Relu')]);
    expect(detectOnnx(m, m.length)).toBe(true);
    // SavedModel: 08 01 12 <MetaGraphDef> — the "producer" would hold control bytes
    const sm = encodeMessage([
      [1, 1],
      [
        2,
        [
          [
            2,
            [
              [
                1,
                [
                  [1, 'a'],
                  [2, 'Const'],
                ],
              ],
            ],
          ],
        ],
      ],
    ]);
    expect(detectOnnx(sm, sm.length)).toBe(false);
    expect(detectSavedModel(sm, sm.length)).toBe(true);
    expect(detectSavedModel(m, m.length)).toBe(false);
    expect(detectOnnx(Buffer.from([0x08, 0x63, 0x12, 0x01, 0x41]), 5)).toBe(false);
    expect(detectOnnx(Buffer.from([0x08, 0x07]), 2)).toBe(false);
    expect(detectOnnx(Buffer.from('{"a": 1}'), 8)).toBe(false);
  });
});

describe('ONNX scanner', () => {
  it('passes a plain model written by onnx', async () => {
    const r = await scanBytes('plain.onnx', readFileSync(join(DATA, 'plain.onnx')));
    expect(r.item.status).toBe('clean');
    expect(r.metrics['onnx_nodes']).toBe(4); // Add, If and one node in each branch
  });

  it('flags the hostile model written by onnx', async () => {
    const found = await ids(readFileSync(join(DATA, 'hostile.onnx')));
    expect(found).toEqual(
      expect.arrayContaining([
        'onnx.external-data-traversal:high',
        'onnx.python-op:high',
        'onnx.custom-domain:medium',
      ]),
    );
    // the local function domain and ai.onnx.contrib (PyOp, reported itself) — only two custom domains
    expect(found.filter((f) => f.startsWith('onnx.custom-domain'))).toHaveLength(2);
  });

  it.each([
    ['/etc/passwd', true],
    ['../../secret.bin', true],
    ['weights/../../x', true],
    ['C:\\Windows\\system.ini', true],
    ['\\\\server\\share\\w.bin', true],
    ['https://evil.example/w.bin', true],
    ['file:///etc/passwd', true],
    ['model.onnx.data', false],
    ['weights/layer..1.bin', false],
  ])('external location %s -> flagged %s', (loc, bad) => {
    expect(checkExternalLocation(loc) !== null).toBe(bad);
  });

  it('checks external data and raw_data sizes in subgraphs and initializers', async () => {
    const sub: PbMessage = [
      [1, 'then_branch'],
      [6, [[5, tensor('t', [2], 1, external('/abs/path.bin'))]]],
    ];
    const g: PbMessage = [
      node('If', '', [sub]),
      [5, tensor('w', [2, 2], 1, [[9, Buffer.alloc(12)]])],
      [5, tensor('ok', [3], 1, [[9, Buffer.alloc(12)]])],
      [5, tensor('int4', [3], 22, [[9, Buffer.alloc(2)]])],
      [5, tensor('neg', [-1], 1)],
      [5, tensor('ext', [1], 1, [[14, 1]])],
    ];
    expect(await ids(model(g))).toEqual([
      'onnx.external-data-traversal:high',
      'onnx.tensor-size-mismatch:medium',
      'onnx.invalid-tensor:medium',
      'onnx.invalid-external-data:low',
    ]);
  });

  it('accepts standard and Microsoft domains, and local functions', async () => {
    const fn: PbMessage = [
      [1, 'Fn'],
      [10, 'my.fns'],
      [7, [[4, 'Relu']]],
    ];
    const g: PbMessage = [node('Relu'), node('FusedGemm', 'com.microsoft'), node('Fn', 'my.fns')];
    expect(await ids(model(g, ['', 'com.microsoft', 'my.fns'], [[25, fn]]))).toEqual([]);
  });

  it('reports custom domains declared only in opset_import', async () => {
    expect(await ids(model([node('Relu')], ['', 'com.vendor.ops']))).toEqual(['onnx.custom-domain:medium']);
  });

  it('bounds nesting of subgraphs', async () => {
    let g: PbMessage = [node('Relu')];
    for (let i = 0; i < 100; i++)
      g = [
        node('If', '', [
          [
            [1, 'b'],
            [6, g],
          ],
        ]),
      ];
    const r = await scanBytes('deep.onnx', model(g));
    expect(r.item.error?.code).toBe('DEPTH_EXCEEDED');
  });

  it('reports a truncated model as an error', async () => {
    const m = model([node('Relu'), [5, tensor('w', [4], 1, [[9, Buffer.alloc(16)]])]]);
    const r = await scanBytes('cut.onnx', m.subarray(0, m.length - 5), { format: 'onnx' });
    expect(r.item.error?.code).toBe('TRUNCATED');
  });
});

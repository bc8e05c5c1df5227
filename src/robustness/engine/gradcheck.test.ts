import { describe, expect, it } from 'vitest';
import { gradCheck } from './gradcheck.js';
import { isWardenError } from '../../core/index.js';
import { Graph } from './graph.js';
import { differentiate } from './autodiff.js';
import { Session } from './session.js';

const TOL = 2e-2;
const ints = (v: number[]) => ({ ints: v });

describe('backward rules match finite differences', () => {
  const cases: [string, Parameters<typeof gradCheck>[0], Parameters<typeof gradCheck>[1]][] = [
    [
      'Gemm transB',
      (g, [x, w, b]) => g.op1('Gemm', [x!, w!, b!], { transB: { i: 1 } }),
      [
        { name: 'x', shape: [3, 4] },
        { name: 'w', shape: [5, 4], param: true },
        { name: 'b', shape: [5], param: true },
      ],
    ],
    [
      'Gemm transA alpha beta',
      (g, [a, b, c]) => g.op1('Gemm', [a!, b!, c!], { transA: { i: 1 }, alpha: { f: 0.5 }, beta: { f: 2 } }),
      [
        { name: 'a', shape: [4, 3] },
        { name: 'b', shape: [4, 2] },
        { name: 'c', shape: [1, 2] },
      ],
    ],
    [
      'MatMul batched',
      (g, [a, b]) => g.op1('MatMul', [a!, b!]),
      [
        { name: 'a', shape: [2, 3, 4] },
        { name: 'b', shape: [4, 5] },
      ],
    ],
    [
      'Add/Mul/Sub/Div broadcast',
      (g, [a, b]) =>
        g.op1('Div', [
          g.op1('Mul', [g.op1('Sub', [a!, b!]), g.op1('Add', [a!, b!])]),
          g.op1('Add', [g.op1('Mul', [b!, b!]), g.constant([2], [])]),
        ]),
      [
        { name: 'a', shape: [2, 3] },
        { name: 'b', shape: [3] },
      ],
    ],
    [
      'Relu Sigmoid Tanh LeakyRelu',
      (g, [x]) =>
        g.op1('Add', [
          g.op1('Relu', [x!]),
          g.op1('Add', [
            g.op1('Sigmoid', [x!]),
            g.op1('Add', [g.op1('Tanh', [x!]), g.op1('LeakyRelu', [x!], { alpha: { f: 0.1 } })]),
          ]),
        ]),
      [{ name: 'x', shape: [4, 5] }],
    ],
    [
      'LogSoftmax Softmax',
      (g, [x]) =>
        g.op1('Add', [
          g.op1('LogSoftmax', [x!], { axis: { i: 1 } }),
          g.op1('Softmax', [x!], { axis: { i: 1 } }),
        ]),
      [{ name: 'x', shape: [3, 6] }],
    ],
    [
      'Reshape Flatten Transpose',
      (g, [x]) =>
        g.op1('Transpose', [g.op1('Reshape', [g.op1('Flatten', [x!]), g.constantInt([2, 6, 2])])], {
          perm: ints([2, 0, 1]),
        }),
      [{ name: 'x', shape: [2, 3, 4] }],
    ],
    [
      'ReduceSum ReduceMean',
      (g, [x]) =>
        g.op1('Add', [
          g.op1('ReduceSum', [x!, g.constantInt([1])], { keepdims: { i: 0 } }),
          g.op1('ReduceMean', [x!], { axes: ints([1]), keepdims: { i: 0 } }),
        ]),
      [{ name: 'x', shape: [3, 4] }],
    ],
    [
      'Conv stride 1 pad 1',
      (g, [x, w, b]) => g.op1('Conv', [x!, w!, b!], { pads: ints([1, 1, 1, 1]) }),
      [
        { name: 'x', shape: [2, 3, 6, 6] },
        { name: 'w', shape: [4, 3, 3, 3], param: true },
        { name: 'b', shape: [4], param: true },
      ],
    ],
    [
      'Conv stride 2',
      (g, [x, w]) => g.op1('Conv', [x!, w!], { strides: ints([2, 2]) }),
      [
        { name: 'x', shape: [2, 2, 7, 7] },
        { name: 'w', shape: [3, 2, 3, 3], param: true },
      ],
    ],
    // the input gradient runs as ConvTranspose (1 input channel; valid padding) or a flipped-kernel Conv
    // (same padding, 8+ channels); the weight gradient as unfold + GEMM with strides and uneven pads
    [
      'Conv one input channel',
      (g, [x, w, b]) => g.op1('Conv', [x!, w!, b!]),
      [
        { name: 'x', shape: [2, 1, 6, 6] },
        { name: 'w', shape: [4, 1, 3, 3], param: true },
        { name: 'b', shape: [4], param: true },
      ],
    ],
    [
      'Conv 8 channels valid and same padding',
      (g, [x, w, v]) =>
        g.op1('Add', [
          g.op1('Conv', [x!, w!]),
          g.op1('Slice', [
            g.op1('Conv', [x!, v!], { pads: ints([1, 1, 1, 1]) }),
            g.constantInt([1, 1]),
            g.constantInt([4, 4]),
            g.constantInt([2, 3]),
          ]),
        ]),
      [
        { name: 'x', shape: [2, 8, 5, 5] },
        { name: 'w', shape: [3, 8, 3, 3], param: true },
        { name: 'v', shape: [3, 8, 3, 3] },
      ],
    ],
    [
      'Conv stride 2 uneven pads, 1x1 stride 2',
      (g, [x, w, v]) =>
        g.op1('Add', [
          g.op1('Conv', [x!, w!], { strides: ints([2, 2]), pads: ints([1, 0, 0, 1]) }),
          g.op1('Conv', [x!, v!], { strides: ints([2, 2]) }),
        ]),
      [
        { name: 'x', shape: [2, 3, 6, 6] },
        { name: 'w', shape: [2, 3, 2, 2], param: true },
        { name: 'v', shape: [2, 3, 1, 1], param: true },
      ],
    ],
    [
      'MaxPool 2x2',
      (g, [x]) => g.op1('MaxPool', [x!], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      [{ name: 'x', shape: [2, 3, 4, 4] }],
    ],
    [
      'MaxPool 2x2 on odd sizes, 3x3',
      (g, [x]) =>
        g.op1('Add', [
          g.op1('MaxPool', [x!], { kernel_shape: ints([3, 3]), strides: ints([3, 3]) }),
          g.op1('Slice', [
            g.op1('MaxPool', [x!], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
            g.constantInt([0, 0]),
            g.constantInt([2, 2]),
            g.constantInt([2, 3]),
          ]),
        ]),
      [{ name: 'x', shape: [2, 3, 7, 6] }],
    ],
    ['GlobalAveragePool', (g, [x]) => g.op1('GlobalAveragePool', [x!]), [{ name: 'x', shape: [2, 3, 4, 4] }]],
    [
      'AveragePool 2x2 stride 2',
      (g, [x]) => g.op1('AveragePool', [x!], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      [{ name: 'x', shape: [2, 3, 5, 4] }],
    ],
    [
      'AveragePool 3x3 overlapping, padded, count_include_pad',
      (g, [x]) =>
        g.op1('AveragePool', [x!], {
          kernel_shape: ints([3, 3]),
          pads: ints([1, 1, 1, 1]),
          count_include_pad: { i: 1 },
        }),
      [{ name: 'x', shape: [2, 2, 4, 4] }],
    ],
    [
      'BatchNormalization inference (all five inputs)',
      (g, [x, s, b, m, v]) =>
        g.op1('BatchNormalization', [
          x!,
          s!,
          b!,
          m!,
          g.op1('Add', [g.op1('Mul', [v!, v!]), g.constant([0.5], [])]),
        ]),
      [
        { name: 'x', shape: [3, 2, 3, 3] },
        { name: 's', shape: [2], param: true },
        { name: 'b', shape: [2], param: true },
        { name: 'm', shape: [2], param: true },
        { name: 'v', shape: [2], param: true },
      ],
    ],
    [
      'BatchNormalization training mode (batch statistics)',
      (g, [x, s, b]) =>
        g.op(
          'BatchNormalization',
          [x!, s!, b!, g.constant([0.1, -0.2], [2]), g.constant([1, 2], [2])],
          { training_mode: { i: 1 } },
          3,
        )[0]!,
      [
        { name: 'x', shape: [4, 2, 3, 3] },
        { name: 's', shape: [2], param: true },
        { name: 'b', shape: [2], param: true },
      ],
    ],
    [
      'Concat Slice Pad',
      (g, [a, b]) =>
        g.op1('Pad', [
          g.op1('Slice', [
            g.op1('Concat', [a!, b!], { axis: { i: 1 } }),
            g.constantInt([1, 0]),
            g.constantInt([4, -1]),
            g.constantInt([1, 2]),
          ]),
          g.constantInt([0, 1, 2, 0, 0, 2, 0, 1]),
        ]),
      [
        { name: 'a', shape: [2, 2, 3, 3] },
        { name: 'b', shape: [2, 3, 3, 3] },
      ],
    ],
    [
      'Squeeze Unsqueeze ReduceMax',
      (g, [x]) =>
        g.op1('Squeeze', [
          g.op1('Unsqueeze', [
            g.op1('ReduceMax', [x!], { axes: ints([1]), keepdims: { i: 0 } }),
            g.constantInt([1, 2]),
          ]),
          g.constantInt([1]),
        ]),
      [{ name: 'x', shape: [3, 5] }],
    ],
    [
      'Sqrt Log Reciprocal Abs',
      (g, [x]) => {
        const pos = g.op1('Add', [g.op1('Mul', [x!, x!]), g.constant([0.5], [])]);
        return g.op1('Add', [
          g.op1('Add', [g.op1('Sqrt', [pos]), g.op1('Log', [pos])]),
          g.op1('Add', [g.op1('Reciprocal', [pos]), g.op1('Abs', [x!])]),
        ]);
      },
      [{ name: 'x', shape: [4, 3] }],
    ],
    ['Dropout (identity at inference)', (g, [x]) => g.op1('Dropout', [x!]), [{ name: 'x', shape: [2, 3] }]],
  ];
  it.each(cases)('%s', async (_name, build, inputs) => {
    const r = await gradCheck(build, inputs);
    expect(r.checked).toBeGreaterThan(0);
    expect(r.maxError).toBeLessThan(TOL);
  });
});

describe('max-pool gradient without indices', () => {
  it('sends each window gradient where the Indices output of MaxPool points, ties included', async () => {
    // values on a coarse grid, so most windows hold their maximum more than once
    const dims = [3, 4, 9, 8];
    const data = Float32Array.from({ length: 3 * 4 * 9 * 8 }, (_, k) => Math.floor(((k * 7919) % 13) / 4));
    const grads: Float32Array[] = [];
    for (const withIndices of [false, true]) {
      const g = new Graph();
      const x = g.input('x', dims);
      const attrs = { kernel_shape: ints([2, 2]), strides: ints([2, 2]) };
      const p = withIndices ? (g.op('MaxPool', [x], attrs, 2)[0] as string) : g.op1('MaxPool', [x], attrs);
      const r = g.constant(
        Float32Array.from({ length: 3 * 4 * 4 * 4 }, (_, k) => Math.sin(k) + 2),
        g.shape(p),
      );
      const loss = g.op1('ReduceSum', [g.op1('Mul', [p, r]), g.constantInt([0, 1, 2, 3])], {
        keepdims: { i: 0 },
      });
      g.output(differentiate(g, loss, [x]).get(x)!);
      const s = await Session.create(g.toBytes());
      const out = await s.run({ x: { data, dims } });
      grads.push(Object.values(out)[0]!.data as Float32Array);
      await s.release();
    }
    expect(grads[0]!.some((v) => v !== 0)).toBe(true);
    expect(Array.from(grads[0]!)).toEqual(Array.from(grads[1]!));
  });
});

describe('autodiff errors', () => {
  it('names an op without a gradient rule', () => {
    const g = new Graph();
    const x = g.input('x', [2, 2]);
    const y = g.op1('ReduceSum', [g.op1('Round', [x]), g.constantInt([0, 1])], { keepdims: { i: 0 } });
    try {
      differentiate(g, y, [x]);
      expect.unreachable();
    } catch (e) {
      expect(isWardenError(e) && e.code).toBe('UNSUPPORTED_OP');
      expect((e as Error).message).toContain('Round');
    }
  });
  it('refuses an unknown op when building', () => {
    const g = new Graph();
    expect(() => g.op1('Einsum', [g.input('x', [2])])).toThrow(/Einsum/);
  });
});

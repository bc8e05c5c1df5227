import { describe, expect, it } from 'vitest';
import { isWardenError } from '../../core/index.js';
import type { ModelMetadata } from '../tensor.js';
import { harden, DEFAULT_OUTPUT_POLICY } from './harden.js';
import { validateInfer } from './validate.js';

const meta: ModelMetadata = {
  name: 'm',
  versions: ['1'],
  platform: 'onnxruntime',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2, 3] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 4] }],
};
const ok = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2, 3], data: [0, 0.1, 0.2, 0.3, 0.4, 0.5] }],
};
const ranges = { x: { min: 0, max: 1 } };

function refusal(body: unknown, m: ModelMetadata = meta): string {
  try {
    validateInfer(body, m, { ranges, maxDim: 8 });
  } catch (e) {
    if (isWardenError(e) && e.code === 'GATEWAY_INPUT_INVALID') return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('validateInfer', () => {
  it('accepts flat and nested data matching the metadata', () => {
    const v = validateInfer(ok, meta, { ranges });
    expect(v.batch).toBe(1);
    expect(Array.from(v.inputs[0]!.data as Float32Array)).toEqual(
      Array.from(Float32Array.from(ok.inputs[0]!.data)),
    );
    const nested = {
      id: 'r1',
      inputs: [
        {
          ...ok.inputs[0],
          data: [
            [
              [0, 0.1, 0.2],
              [0.3, 0.4, 0.5],
            ],
          ],
        },
      ],
    };
    expect(validateInfer(nested, meta).id).toBe('r1');
  });

  it('refuses every lie about shape, datatype, count and values, naming what is wrong', () => {
    const t = (over: Record<string, unknown>) => ({ inputs: [{ ...ok.inputs[0], ...over }] });
    expect(refusal(null)).toMatch(/JSON object/);
    expect(refusal({ inputs: [] })).toMatch(/takes 1 input/);
    expect(refusal({ inputs: [ok.inputs[0], ok.inputs[0]] })).toMatch(/takes 1 input/);
    expect(refusal({ inputs: [{ ...ok.inputs[0], name: 'z' }] })).toMatch(/missing input "x"/);
    expect(refusal(t({ datatype: 'FP64' }))).toMatch(/does not match the model's FP32/);
    expect(refusal(t({ datatype: 'FP99' }))).toMatch(/must be one of/);
    expect(refusal(t({ shape: [1, 6] }))).toMatch(/3 dimensions/);
    expect(refusal(t({ shape: [1, 3, 2] }))).toMatch(/does not match/);
    expect(refusal(t({ shape: [9, 2, 3] }))).toMatch(/more than the allowed 8/);
    expect(refusal(t({ shape: [0, 2, 3] }))).toMatch(/positive integer/);
    expect(refusal(t({ shape: [2, 2, 3] }))).toMatch(/needs 12 elements, data has 6/);
    expect(refusal(t({ data: [0, 0, 0, 0, 0, '1'] }))).toMatch(/element 5 is not a number/);
    expect(refusal(t({ data: [0, 0, 0, 0, 0, JSON.parse('1e999') as number] }))).toMatch(/not finite/);
    expect(refusal(t({ data: [0, 0, 0, 0, 0, NaN] }))).toMatch(/not finite/);
    expect(refusal(t({ data: [0, 0, 0, 0, 0, 1.5] }))).toMatch(/outside the allowed range/);
    expect(refusal(t({ data: [[[[0]]]] }))).toMatch(/nested deeper/);
    expect(refusal(t({ data: 'AAAA' }))).toMatch(/must be an array/);
    expect(refusal(t({ extra: 1 }))).toMatch(/unknown field "extra"/);
    expect(refusal({ ...ok, hack: true })).toMatch(/unknown field "hack"/);
  });

  it('checks integer datatypes against their range', () => {
    const im: ModelMetadata = { ...meta, inputs: [{ name: 'x', datatype: 'UINT8', shape: [2] }] };
    const body = (data: unknown[]) => ({ inputs: [{ name: 'x', datatype: 'UINT8', shape: [2], data }] });
    expect(validateInfer(body([0, 255]), im).inputs[0]!.shape).toEqual([2]);
    expect(refusal(body([0, 256]), im)).toMatch(/not a valid UINT8/);
    expect(refusal(body([0, 1.5]), im)).toMatch(/not a valid UINT8/);
  });
});

describe('harden', () => {
  const logits = { name: 'logits', dims: [2, 3], data: Float32Array.from([1, 3, 2, 10, 0, 0]) };
  it('never returns logits: probabilities rounded, top-k or the label only', () => {
    const p = harden([logits], DEFAULT_OUTPUT_POLICY);
    expect(p.labels).toEqual([1, 0]);
    const probs = p.outputs[0]!.data as number[];
    expect(p.outputs[0]!.name).toBe('probabilities');
    expect(probs.slice(0, 3)).toEqual([0.09, 0.6652, 0.2447]);
    expect(probs.slice(0, 3).reduce((a, b) => a + b)).toBeCloseTo(1, 3);
    const top = harden([logits], { ...DEFAULT_OUTPUT_POLICY, mode: 'top-k', topK: 2, decimals: 2 });
    expect(top.outputs.map((o) => [o.name, o.shape, o.data])).toEqual([
      ['labels', [2, 2], [1, 2, 0, 1]],
      ['scores', [2, 2], [0.67, 0.24, 1, 0]],
    ]);
    const label = harden([logits], { ...DEFAULT_OUTPUT_POLICY, mode: 'label' });
    expect(label.outputs).toEqual([{ name: 'label', datatype: 'INT64', shape: [2], data: [1, 0] }]);
  });

  it('rounds regression values and refuses a non-matrix classifier output', () => {
    const r = harden([{ name: 'y', dims: [2], data: [1.23456, 2] }], {
      ...DEFAULT_OUTPUT_POLICY,
      mode: 'regression',
      decimals: 2,
    });
    expect(r.outputs[0]!.data).toEqual([1.23, 2]);
    expect(() => harden([{ name: 'y', dims: [6], data: [1, 2, 3, 4, 5, 6] }], DEFAULT_OUTPUT_POLICY)).toThrow(
      /rows, classes/,
    );
  });
});

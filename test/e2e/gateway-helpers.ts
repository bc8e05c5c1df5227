import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDataset } from '../../src/robustness/index.js';

export const EXAMPLE_MODEL = resolve(import.meta.dirname, '../../examples/mnist-mlp.onnx');
export const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
export const mnist = resolveDataset('mnist', undefined, 'test');

/** An OIP v2 inference body for test digit i (or for given pixels). */
export function digit(i: number, pixels?: ArrayLike<number>) {
  const data = Array.from(pixels ?? mnist.x.subarray(i * 784, (i + 1) * 784));
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1, 28, 28], data }] };
}

export async function call(
  url: string,
  opts: {
    key?: string;
    body?: unknown;
    raw?: string;
    method?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const res = await fetch(url, {
    method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
    headers: {
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
      ...(payload ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

export const exampleBytes = () => readFileSync(EXAMPLE_MODEL);

import { spawn } from 'node:child_process';
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

/** Starts `warden serve`; resolves with its URL, or with its exit code and stderr when it refuses to start. */
export function serveCli(
  ...args: string[]
): Promise<{ url?: string; code?: number | null; stderr: string; stop: () => Promise<void> }> {
  const child = spawn('node', [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = () =>
    new Promise<void>((r) => {
      if (child.exitCode !== null) return r();
      child.once('exit', () => r());
      child.kill('SIGTERM');
    });
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, stderr, stop });
    });
    child.once('exit', (code) => resolve({ code, stderr, stop }));
  });
}

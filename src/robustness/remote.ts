import { robustnessError } from './errors.js';
import type { AttackTarget } from './attacks/types.js';

/** Where and how to reach a model served over the Open Inference Protocol v2 (KServe/Triton REST). */
export interface HttpTargetOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 (the model path is appended). */
  url: string;
  model: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Largest response body accepted (default 64 MiB). */
  maxResponseBytes?: number;
  /** Examples per request (default 256); larger batches are split. */
  batch?: number;
  headers?: Record<string, string>;
}

type Json = Record<string, unknown>;
const fail = (msg: string, cause?: unknown) =>
  robustnessError('UPSTREAM_MODEL_ERROR', msg, cause === undefined ? {} : { cause });

async function call(o: HttpTargetOptions, path: string, body?: unknown): Promise<Json> {
  const url = `${o.url.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(o.model)}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...o.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
  } catch (e) {
    throw fail(`cannot reach ${url}: ${(e as Error).message}`, e);
  }
  const limit = o.maxResponseBytes ?? 64 * 1024 * 1024;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const r = (await reader.read()) as { done: boolean; value?: Uint8Array };
      const value = r.value;
      if (r.done || !value) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw fail(`${url} answered with more than ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'UPSTREAM_MODEL_ERROR') throw e;
    throw fail(`reading the answer of ${url} failed: ${(e as Error).message}`, e);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!res.ok) throw fail(`${url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (e) {
    throw fail(`${url} did not answer with a JSON object: ${(e as Error).message}`, e);
  }
}

function tensorMeta(v: unknown, what: string): { name: string; shape: number[]; datatype: string } {
  const t = v as Json | undefined;
  if (!t || typeof t.name !== 'string' || !Array.isArray(t.shape) || typeof t.datatype !== 'string')
    throw fail(`model metadata lacks a valid ${what} (name, datatype, shape)`);
  return { name: t.name, shape: t.shape.map(Number), datatype: t.datatype };
}

/**
 * A black-box attack target behind an Open Inference Protocol v2 REST endpoint (`warden serve`, KServe,
 * Triton, Seldon MLServer): metadata from GET /v2/models/{name}, logits from POST /v2/models/{name}/infer
 * with FP32 tensors in JSON. Only scores and labels cross the wire, so only black-box attacks apply.
 */
export async function httpTarget(
  o: HttpTargetOptions,
): Promise<AttackTarget & { close(): Promise<void>; queries: number }> {
  const meta = await call(o, '');
  const inputs = meta.inputs as unknown[] | undefined;
  const outputs = meta.outputs as unknown[] | undefined;
  if (!Array.isArray(inputs) || inputs.length !== 1)
    throw fail(
      `model "${o.model}" must have exactly one input, metadata lists ${Array.isArray(inputs) ? inputs.length : 'none'}`,
    );
  const inp = tensorMeta(inputs[0], 'input');
  if (inp.datatype !== 'FP32') throw fail(`model input ${inp.name} is ${inp.datatype}; attacks need FP32`);
  const input = inp.shape.slice(1);
  if (!input.length || input.some((d) => !(d > 0)))
    throw fail(
      `model input ${inp.name} needs static dimensions after the batch, got [${inp.shape.join(', ')}]`,
    );
  const out = Array.isArray(outputs) && outputs.length ? tensorMeta(outputs[0], 'output') : undefined;
  const per = input.reduce((a, b) => a * b, 1);
  const batch = o.batch ?? 256;
  const target = {
    input,
    classes: out && (out.shape.at(-1) ?? -1) > 0 ? (out.shape.at(-1) as number) : -1,
    queries: 0,
    async logits(x: Float32Array, n: number): Promise<Float32Array> {
      const parts: Float32Array[] = [];
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        const res = await call(o, '/infer', {
          inputs: [
            {
              name: inp.name,
              shape: [m, ...input],
              datatype: 'FP32',
              data: Array.from(x.subarray(s * per, (s + m) * per)),
            },
          ],
          ...(out ? { outputs: [{ name: out.name }] } : {}),
        });
        target.queries += m;
        const t = (res.outputs as Json[] | undefined)?.[0];
        const data = t?.data;
        if (
          !Array.isArray(data) ||
          data.length === 0 ||
          data.length % m !== 0 ||
          data.some((v) => typeof v !== 'number')
        )
          throw fail(`inference answer has no numeric output data for ${m} examples`);
        const classes = data.length / m;
        if (target.classes < 0) target.classes = classes;
        if (classes !== target.classes)
          throw fail(`expected ${target.classes} scores per example, got ${classes}`);
        parts.push(Float32Array.from(data as number[]));
      }
      const all = new Float32Array(n * target.classes);
      let off = 0;
      for (const p of parts) {
        all.set(p, off);
        off += p.length;
      }
      return all;
    },
    close: () => Promise.resolve(),
  };
  // learn the class count from one real answer when the metadata leaves it open
  if (target.classes < 0) await target.logits(new Float32Array(per), 1);
  return target;
}

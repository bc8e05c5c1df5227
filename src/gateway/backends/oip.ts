import { gatewayError } from '../errors.js';
import type { RawOutput } from '../stages/harden.js';
import { DATATYPES, type ModelMetadata, type Tensor } from '../tensor.js';
import type { Backend } from './types.js';

/** An upstream Open Inference Protocol v2 server (KServe, Triton, MLServer, another Warden). */
export interface OipUpstreamOptions {
  /** Base URL, e.g. http://triton:8000 (requests go to {url}/v2/models/{model}/...). */
  url: string;
  /** The model's name upstream (default: the name it is served under here). */
  model?: string;
  /** Sent as `Authorization: Bearer`. */
  apiKey?: string;
  timeoutMs?: number;
  /** Largest upstream answer read (default 16 MiB). */
  maxResponseBytes?: number;
}

/** Forwards validated inferences to an upstream OIP v2 server; its metadata is read from it at start. */
export class OipBackend implements Backend {
  readonly kind = 'oip' as const;
  private constructor(
    private readonly opts: OipUpstreamOptions & { model: string },
    private readonly meta: ModelMetadata,
    readonly version: string,
  ) {}

  static async connect(name: string, opts: OipUpstreamOptions): Promise<OipBackend> {
    const o = { ...opts, model: opts.model ?? name, url: opts.url.replace(/\/+$/, '') };
    const doc = await call(o, 'GET', `/v2/models/${encodeURIComponent(o.model)}`);
    const m = doc as Partial<ModelMetadata>;
    const specs = (xs: unknown) => {
      if (!Array.isArray(xs))
        throw gatewayError('GATEWAY_UPSTREAM_ERROR', `upstream metadata of ${o.model} has no tensors`);
      return xs.map((t: { name?: unknown; datatype?: unknown; shape?: unknown }) => {
        if (
          typeof t.name !== 'string' ||
          !(DATATYPES as readonly unknown[]).includes(t.datatype) ||
          !Array.isArray(t.shape)
        )
          throw gatewayError('GATEWAY_UPSTREAM_ERROR', `upstream metadata of ${o.model} is malformed`);
        return {
          name: t.name,
          datatype: t.datatype as ModelMetadata['inputs'][number]['datatype'],
          shape: (t.shape as unknown[]).map(Number),
        };
      });
    };
    const version = Array.isArray(m.versions) && typeof m.versions[0] === 'string' ? m.versions[0] : '1';
    const meta: ModelMetadata = {
      name,
      versions: [version],
      platform: typeof m.platform === 'string' ? m.platform : 'upstream',
      inputs: specs(m.inputs),
      outputs: specs(m.outputs),
    };
    return new OipBackend(o, meta, version);
  }

  metadata(): ModelMetadata {
    return this.meta;
  }

  async ready(): Promise<boolean> {
    try {
      await call(this.opts, 'GET', `/v2/models/${encodeURIComponent(this.opts.model)}/ready`);
      return true;
    } catch {
      return false;
    }
  }

  async infer(inputs: readonly Tensor[]): Promise<RawOutput[]> {
    const body = {
      inputs: inputs.map((t) => ({
        name: t.name,
        datatype: t.datatype,
        shape: t.shape,
        data: Array.from(t.data as ArrayLike<number>),
      })),
    };
    const doc = (await call(
      this.opts,
      'POST',
      `/v2/models/${encodeURIComponent(this.opts.model)}/infer`,
      body,
    )) as {
      outputs?: { name?: unknown; shape?: unknown; data?: unknown }[];
    };
    if (!Array.isArray(doc.outputs))
      throw gatewayError('GATEWAY_UPSTREAM_ERROR', 'upstream answer has no outputs');
    return doc.outputs.map((o) => {
      if (
        typeof o.name !== 'string' ||
        !Array.isArray(o.shape) ||
        !Array.isArray(o.data) ||
        !o.data.every((v) => typeof v === 'number')
      )
        throw gatewayError('GATEWAY_UPSTREAM_ERROR', 'upstream output is malformed');
      return { name: o.name, dims: o.shape.map(Number), data: o.data };
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function call(o: OipUpstreamOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(o.url + path, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const timeout = (e as Error).name === 'TimeoutError';
    throw gatewayError(
      timeout ? 'GATEWAY_UPSTREAM_TIMEOUT' : 'GATEWAY_UPSTREAM_ERROR',
      `upstream ${o.url}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const max = o.maxResponseBytes ?? 16 * 1024 * 1024;
  if (Number(res.headers.get('content-length') ?? 0) > max)
    throw gatewayError('GATEWAY_UPSTREAM_ERROR', `upstream answer is larger than ${max} bytes`);
  const text = await res.text();
  if (text.length > max)
    throw gatewayError('GATEWAY_UPSTREAM_ERROR', `upstream answer is larger than ${max} bytes`);
  if (!res.ok)
    throw gatewayError('GATEWAY_UPSTREAM_ERROR', `upstream answered ${res.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw gatewayError('GATEWAY_UPSTREAM_ERROR', 'upstream answer is not JSON');
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WardenError } from '../../core/index.js';
import { jsonDepth } from '../../core/http.js';
import { guardError } from '../errors.js';
import type { UpstreamOptions } from './proxy.js';

/** Why an upstream call was cut short by the proxy rather than by the upstream. */
export type StopReason = 'timeout' | 'client' | 'blocked';

/** An open upstream request: its response, and the controls the proxy needs while reading it. */
export interface UpstreamCall {
  response: Response;
  timeoutMs: number;
  /** Restarts the timeout: a stream only times out when it goes quiet. */
  touch(): void;
  /** Aborts the request (no-op once finished) and records why. */
  stop(reason: StopReason): void;
  /** Clears the timer and releases the connection. */
  done(): void;
  readonly stopped: StopReason | undefined;
}

/**
 * POSTs the sanitized request to `${baseUrl}/chat/completions`. A client that disconnects aborts it; so
 * does the timeout (504). A refused connection or a non-2xx answer is GUARD_UPSTREAM_ERROR (502).
 */
export async function openUpstream(
  up: UpstreamOptions,
  body: { stream?: boolean | undefined; [key: string]: unknown },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<UpstreamCall> {
  const ac = new AbortController();
  const timeoutMs = up.timeoutMs ?? 60_000;
  let stopped: StopReason | undefined;
  const stop = (reason: StopReason): void => {
    stopped ??= reason;
    clearTimeout(timer);
    ac.abort();
  };
  let timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onClose = (): void => {
    if (!res.writableFinished) stop('client');
  };
  res.on('close', onClose);
  const auth = up.apiKey ? `Bearer ${up.apiKey}` : req.headers.authorization;
  const call = {
    response: undefined as unknown as Response,
    timeoutMs,
    touch: () => {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(() => stop('timeout'), timeoutMs);
    },
    stop,
    done: () => {
      clearTimeout(timer);
      res.off('close', onClose);
      if (!ac.signal.aborted) ac.abort();
    },
    get stopped() {
      return stopped;
    },
  };
  try {
    call.response = await fetch(`${up.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: body.stream ? 'text/event-stream' : 'application/json',
        ...(auth ? { authorization: auth } : {}),
      },
      body: JSON.stringify(body),
      signal: ac.signal,
      redirect: 'error',
    });
  } catch (e) {
    call.done();
    throw upstreamFailure(call, e);
  }
  if (!call.response.ok) {
    const why = await readBounded(call, 8192).then(errorMessage, () => '');
    call.done();
    throw guardError('GUARD_UPSTREAM_ERROR', `upstream returned HTTP ${call.response.status}${why}`);
  }
  return call;
}

/** Reads a whole (non-streamed) response up to `maxBytes`. */
export async function readBounded(call: UpstreamCall, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of bodyOf(call.response)) {
      size += chunk.length;
      if (size > maxBytes)
        throw guardError('GUARD_UPSTREAM_ERROR', `upstream response is over ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (e) {
    call.done();
    throw upstreamFailure(call, e);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** A response body as bytes (empty when there is none). */
export function bodyOf(response: Response): AsyncIterable<Uint8Array> {
  return (response.body ?? []) as AsyncIterable<Uint8Array>;
}

/** Deepest JSON nesting accepted from an upstream (a chat completion needs about 6). */
export const MAX_UPSTREAM_DEPTH = 64;

/**
 * Parses JSON an upstream sent, or throws GUARD_UPSTREAM_ERROR naming `what`. The depth is checked first:
 * a hostile upstream's deep nesting would parse, then overflow the stack when the answer is re-serialized.
 */
export function parseUpstreamJson(text: string, what: string): unknown {
  if (jsonDepth(text) > MAX_UPSTREAM_DEPTH)
    throw guardError(
      'GUARD_UPSTREAM_ERROR',
      `upstream sent ${what} nested deeper than ${MAX_UPSTREAM_DEPTH} levels`,
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw guardError('GUARD_UPSTREAM_ERROR', `upstream sent ${what} that is not JSON`);
  }
}

/** The typed error for a failed upstream read: timeout (504) or anything else (502). */
export function upstreamFailure(call: UpstreamCall, e: unknown): WardenError {
  if ((e as WardenError | undefined)?.code === 'GUARD_UPSTREAM_ERROR') return e as WardenError;
  if (call.stopped === 'timeout')
    return guardError('GUARD_UPSTREAM_TIMEOUT', `upstream did not answer within ${call.timeoutMs} ms`);
  const cause = (e as Error & { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
  return guardError('GUARD_UPSTREAM_ERROR', `upstream request failed: ${cause}`, { cause: e });
}

// The upstream's own error message, if it sent one, shortened: clients see why the model refused.
function errorMessage(text: string): string {
  try {
    const doc = JSON.parse(text) as { error?: { message?: unknown } | string };
    const msg = typeof doc.error === 'string' ? doc.error : doc.error?.message;
    return typeof msg === 'string' ? `: ${msg.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

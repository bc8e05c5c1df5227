import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web';
import { isWardenError } from '../core/index.js';
import { SseParser } from '../guard/index.js';
import { redteamError, type RedteamError } from './errors.js';
import type { ProbeMessage, TargetReply } from './types.js';

/** How to reach an OpenAI-compatible chat endpoint. */
export interface TargetOptions {
  /** Base URL (`http://host/v1`) or the full `.../chat/completions` URL. */
  url: string;
  model: string;
  apiKey?: string;
  /** Budget of one call, streamed replies included. */
  timeoutMs: number;
  stream: boolean;
  /** Retries after 429/503 (honouring Retry-After, at most 10 s each). */
  retries: number;
  /** Largest reply read (default 4 MiB). */
  maxResponseBytes?: number;
}

/** Validates a target URL and returns its chat-completions endpoint. */
export function chatCompletionsUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw redteamError('REDTEAM_TARGET_INVALID', `--target must be an http(s) URL, got "${url}"`, {
      kind: 'usage',
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw redteamError('REDTEAM_TARGET_INVALID', `--target must be http or https, got ${u.protocol}`, {
      kind: 'usage',
    });
  if (u.username || u.password)
    throw redteamError('REDTEAM_TARGET_INVALID', '--target must not carry credentials; use --api-key-env', {
      kind: 'usage',
    });
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = path.endsWith('/chat/completions') ? path : `${path}/chat/completions`;
  return u.toString();
}

// Error bodies that mean "a content filter or guard refused this", not "the request was wrong".
const BLOCK_RE = /content[_ -]?filter|guard|blocked|moderation|safety|policy_violation/i;

interface OpenAIError {
  error?: { message?: unknown; type?: unknown; code?: unknown } | string;
}

/** An OpenAI-compatible chat target: one call per `send`, bounded in time and size, with typed failures. */
export class ChatTarget {
  readonly endpoint: string;
  private readonly maxBytes: number;

  constructor(private readonly opts: TargetOptions) {
    this.endpoint = chatCompletionsUrl(opts.url);
    this.maxBytes = opts.maxResponseBytes ?? 4 * 1024 * 1024;
  }

  async send(messages: ProbeMessage[]): Promise<TargetReply> {
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs);
      try {
        const res = await this.post(messages, ac.signal);
        if ((res.status === 429 || res.status === 503) && attempt < this.opts.retries) {
          await res.body?.cancel().catch(() => {});
          await sleep(retryDelay(res.headers.get('retry-after'), attempt));
          continue;
        }
        const reply = await this.read(res, ac.signal);
        return { ...reply, ms: Math.round(performance.now() - t0) };
      } catch (e) {
        if (ac.signal.aborted)
          throw redteamError(
            'REDTEAM_TARGET_TIMEOUT',
            `${this.endpoint} did not answer within ${this.opts.timeoutMs} ms`,
            {
              cause: e,
            },
          );
        throw isWardenError(e)
          ? e
          : protocol(`reading the reply of ${this.endpoint} failed: ${(e as Error).message}`, e);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private async post(messages: ProbeMessage[], signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: this.opts.stream ? 'text/event-stream' : 'application/json',
          ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.opts.model,
          messages,
          ...(this.opts.stream ? { stream: true } : {}),
        }),
        signal,
        redirect: 'error',
      });
    } catch (e) {
      if (signal.aborted) throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw redteamError(
        'REDTEAM_TARGET_UNREACHABLE',
        `cannot reach ${this.endpoint}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
        { cause: e },
      );
    }
  }

  private async read(res: Response, signal: AbortSignal): Promise<Omit<TargetReply, 'ms'>> {
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      const text = await readBounded(res, 64 * 1024, signal).catch(() => '');
      const err = parseError(text);
      if (
        res.status >= 400 &&
        res.status < 500 &&
        res.status !== 429 &&
        BLOCK_RE.test(`${err.type} ${err.code}`)
      )
        return {
          status: 'blocked',
          content: err.message,
          httpStatus: res.status,
          blockedBy: `${err.type || err.code}`,
        };
      throw redteamError(
        'REDTEAM_TARGET_HTTP',
        `${this.endpoint} answered HTTP ${res.status}${err.message ? `: ${err.message.slice(0, 300)}` : ''}`,
      );
    }
    if (this.opts.stream && type.includes('text/event-stream')) return this.readStream(res, signal);
    const text = await readBounded(res, this.maxBytes, signal);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw protocol(`${this.endpoint} did not answer JSON (content-type "${type}")`);
    }
    const choice = (doc as { choices?: unknown[] } | null)?.choices?.[0] as
      { message?: { content?: unknown }; finish_reason?: unknown } | undefined;
    if (
      typeof choice !== 'object' ||
      choice === null ||
      typeof choice.message !== 'object' ||
      choice.message === null
    )
      throw protocol(`${this.endpoint} did not answer an OpenAI chat completion (no choices[0].message)`);
    const content = typeof choice.message.content === 'string' ? choice.message.content : '';
    const finish = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
    return replyOf(content, finish, res.status);
  }

  private async readStream(res: Response, signal: AbortSignal): Promise<Omit<TargetReply, 'ms'>> {
    const parser = new SseParser(this.maxBytes);
    const decoder = new TextDecoder();
    let content = '';
    let finish: string | undefined;
    let bytes = 0;
    const body = res.body;
    if (!body) throw protocol(`${this.endpoint} sent an empty stream`);
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await readOrAbort(reader, signal);
        if (done) break;
        bytes += value.byteLength;
        if (bytes > this.maxBytes)
          throw protocol(`${this.endpoint} streamed more than ${this.maxBytes} bytes`);
        let events: string[];
        try {
          events = parser.push(decoder.decode(value, { stream: true }));
        } catch (e) {
          throw protocol(`${this.endpoint} sent a malformed event stream: ${(e as Error).message}`, e);
        }
        for (const data of events) {
          if (data === '[DONE]') return replyOf(content, finish, res.status);
          const chunk = parseChunk(data, this.endpoint);
          if (chunk.error)
            throw redteamError('REDTEAM_TARGET_HTTP', `${this.endpoint} stream error: ${chunk.error}`);
          content += chunk.content;
          finish = chunk.finish ?? finish;
        }
      }
    } finally {
      reader.releaseLock();
      await body.cancel().catch(() => {});
    }
    return replyOf(content, finish, res.status);
  }
}

function replyOf(content: string, finish: string | undefined, httpStatus: number): Omit<TargetReply, 'ms'> {
  const blocked = finish === 'content_filter';
  return {
    status: blocked ? 'blocked' : 'ok',
    content,
    httpStatus,
    ...(finish ? { finishReason: finish } : {}),
    ...(blocked ? { blockedBy: 'finish_reason content_filter' } : {}),
  };
}

function parseChunk(data: string, endpoint: string): { content: string; finish?: string; error?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(data);
  } catch {
    throw protocol(`${endpoint} sent a stream event that is not JSON`);
  }
  const d = doc as {
    choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
    error?: unknown;
  };
  if (d.error !== undefined) return { content: '', error: JSON.stringify(d.error).slice(0, 300) };
  const c = Array.isArray(d.choices) ? d.choices[0] : undefined;
  const content = typeof c?.delta?.content === 'string' ? c.delta.content : '';
  return typeof c?.finish_reason === 'string' ? { content, finish: c.finish_reason } : { content };
}

function parseError(text: string): { message: string; type: string; code: string } {
  try {
    const e = (JSON.parse(text) as OpenAIError).error;
    if (typeof e === 'string') return { message: e, type: '', code: '' };
    return {
      message: typeof e?.message === 'string' ? e.message : text.slice(0, 300),
      type: typeof e?.type === 'string' ? e.type : '',
      code: typeof e?.code === 'string' ? e.code : '',
    };
  } catch {
    return { message: text.slice(0, 300), type: '', code: '' };
  }
}

/** Reads a response body up to `max` bytes; a longer one is a protocol error (the rest is not read). */
async function readBounded(res: Response, max: number, signal: AbortSignal): Promise<string> {
  const body = res.body;
  if (!body) return '';
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await readOrAbort(reader, signal);
      if (done) break;
      size += value.byteLength;
      if (size > max) throw protocol(`reply is larger than ${max} bytes`);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw protocol('reply is not valid UTF-8');
  }
}

/**
 * One read of a body, abandoned as soon as the call's signal aborts: a stalled stream must not outlive the
 * timeout even where the fetch implementation does not interrupt a pending read itself.
 */
function readOrAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reader.cancel().catch(() => {});
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function protocol(message: string, cause?: unknown): RedteamError {
  return redteamError('REDTEAM_TARGET_PROTOCOL', message, { cause });
}

function retryDelay(header: string | null, attempt: number): number {
  const secs = header === null ? NaN : Number(header);
  const ms = Number.isFinite(secs) && secs >= 0 ? secs * 1000 : 250 * 2 ** attempt;
  return Math.min(10_000, ms);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

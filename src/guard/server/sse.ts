import type { ServerResponse } from 'node:http';
import { guardError } from '../errors.js';
import type { Vault } from '../vault.js';
import { ChoiceGuard, type OutputScan } from './stream.js';
import { bodyOf, parseUpstreamJson, upstreamFailure, type UpstreamCall } from './upstream.js';

/** Splits a text/event-stream into the `data` payloads of its events (bounded; comments and ids ignored). */
export class SseParser {
  private buf = '';

  constructor(private readonly maxEventChars = 4 * 1024 * 1024) {}

  push(text: string): string[] {
    this.buf += text;
    // a trailing CR may be half of a CRLF: normalize it with the next chunk
    const keep = this.buf.endsWith('\r') ? 1 : 0;
    const body = this.buf.slice(0, this.buf.length - keep).replace(/\r\n?/g, '\n');
    const events = body.split('\n\n');
    this.buf = (events.pop() ?? '') + this.buf.slice(this.buf.length - keep);
    if (this.buf.length > this.maxEventChars)
      throw guardError('GUARD_UPSTREAM_ERROR', 'upstream sent a stream event over the size limit');
    const out: string[] = [];
    for (const ev of events) {
      const data = ev
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5));
      if (data.length) out.push(data.join('\n'));
    }
    return out;
  }
}

/** A chat.completion.chunk as far as the proxy reads it; everything else is forwarded untouched. */
interface Chunk {
  id?: unknown;
  created?: unknown;
  model?: unknown;
  choices?: { index?: unknown; delta?: Record<string, unknown>; finish_reason?: unknown }[];
}

/**
 * Forwards an upstream SSE chat stream while guarding it: each choice's content is released only once
 * checked (see ChoiceGuard). A block ends the stream with a `content_filter` chunk and `[DONE]` and aborts
 * the upstream; a broken upstream ends it with an error event.
 */
export async function pipeGuardedStream(
  call: UpstreamCall,
  res: ServerResponse,
  opts: { scan: OutputScan; vault: Vault },
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-warden-guard': 'stream',
  });
  const guards = new Map<number, ChoiceGuard>();
  const guardFor = (i: number): ChoiceGuard => {
    let g = guards.get(i);
    if (!g) guards.set(i, (g = new ChoiceGuard(opts)));
    return g;
  };
  let head = {
    id: 'warden',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: '',
  };
  const send = async (data: unknown): Promise<void> => {
    if (res.destroyed) return;
    if (!res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`))
      await new Promise((r) => (res.once('drain', r), res.once('close', r)));
  };
  const chunkOf = (index: number, content: string, finish: string | null) => ({
    ...head,
    choices: [{ index, delta: { content }, finish_reason: finish }],
  });
  // returns false once the stream was blocked and ended
  const endBlocked = async (index: number, g: ChoiceGuard): Promise<false> => {
    call.stop('blocked');
    await send(chunkOf(index, `${g.started ? '\n' : ''}${g.blocked}`, 'content_filter'));
    await send('[DONE]');
    return false;
  };
  const finishAll = async (): Promise<boolean> => {
    for (const [index, g] of guards) {
      const rest = g.finish();
      if (g.blocked !== undefined) return endBlocked(index, g);
      if (rest) await send(chunkOf(index, rest, null));
    }
    await send('[DONE]');
    return false;
  };
  const onEvent = async (data: string): Promise<boolean> => {
    if (data === '[DONE]') return finishAll();
    const chunk = parseUpstreamJson(data, 'a stream event') as Chunk;
    if (typeof chunk !== 'object' || chunk === null)
      throw guardError('GUARD_UPSTREAM_ERROR', 'bad stream event');
    head = { ...head, ...pick(chunk) };
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    let forward = choices.length === 0; // usage and other bookkeeping chunks pass through
    for (const c of choices) {
      const index = typeof c.index === 'number' ? c.index : 0;
      const g = guardFor(index);
      const delta = typeof c.delta === 'object' && c.delta !== null ? c.delta : {};
      let text = typeof delta.content === 'string' ? g.push(delta.content) : '';
      if (c.finish_reason !== null && c.finish_reason !== undefined) text += g.finish();
      if (g.blocked !== undefined) return endBlocked(index, g);
      if (typeof delta.content === 'string') delta.content = text;
      const other = Object.keys(delta).some((k) => k !== 'content');
      forward ||= text !== '' || other || (c.finish_reason !== null && c.finish_reason !== undefined);
    }
    if (forward) await send(chunk);
    return true;
  };

  const parser = new SseParser();
  const decoder = new TextDecoder();
  try {
    let open = true;
    for await (const bytes of bodyOf(call.response)) {
      call.touch();
      for (const data of parser.push(decoder.decode(bytes, { stream: true })))
        if (!(open = await onEvent(data))) break;
      if (!open) break;
    }
    if (open) await finishAll(); // the upstream ended without [DONE]
  } catch (e) {
    if (call.stopped !== 'client' && call.stopped !== 'blocked') {
      const err = upstreamFailure(call, e);
      await send({ error: { message: err.message, type: 'upstream_error', code: err.code, param: null } });
      await send('[DONE]');
    }
  } finally {
    call.done();
    res.end();
  }
}

function pick(c: Chunk): { id?: string; created?: number; model?: string } {
  return {
    ...(typeof c.id === 'string' ? { id: c.id } : {}),
    ...(typeof c.created === 'number' ? { created: c.created } : {}),
    ...(typeof c.model === 'string' ? { model: c.model } : {}),
  };
}

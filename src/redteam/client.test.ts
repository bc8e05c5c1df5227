import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../core/index.js';
import { ChatTarget, chatCompletionsUrl } from './client.js';

// A real HTTP server whose behaviour each test sets: the client is exercised over sockets, not mocks.
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_q, res) => res.end('{}');
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const completion = (content: string, finish = 'stop') =>
  JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }] });
const target = (over: Partial<ConstructorParameters<typeof ChatTarget>[0]> = {}) =>
  new ChatTarget({ url: base, model: 'm', timeoutMs: 2000, stream: false, retries: 2, ...over });
const ask = [{ role: 'user' as const, content: 'hi' }];

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (!isWardenError(e)) throw e;
    return e.code;
  }
}

describe('chatCompletionsUrl', () => {
  it('appends the route to a base URL and keeps a full one', () => {
    expect(chatCompletionsUrl('http://h:1/v1')).toBe('http://h:1/v1/chat/completions');
    expect(chatCompletionsUrl('http://h:1/v1/')).toBe('http://h:1/v1/chat/completions');
    expect(chatCompletionsUrl('https://h/x/chat/completions')).toBe('https://h/x/chat/completions');
  });
  it('refuses what is not an http(s) URL, and credentials in it', () => {
    for (const bad of ['not a url', 'ftp://h/v1', 'file:///etc/passwd', 'http://u:p@h/v1'])
      expect(() => chatCompletionsUrl(bad)).toThrow(
        expect.objectContaining({ code: 'REDTEAM_TARGET_INVALID' }),
      );
  });
});

describe('ChatTarget', () => {
  it('reads a completion and sends model, messages and the bearer key', async () => {
    let seen: { auth?: string; body?: unknown } = {};
    handler = (req, res, body) => {
      seen = { auth: req.headers.authorization, body: JSON.parse(body) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion('hello there'));
    };
    const r = await target({ apiKey: 'k1' }).send(ask);
    expect(r).toMatchObject({ status: 'ok', content: 'hello there', httpStatus: 200, finishReason: 'stop' });
    expect(seen.auth).toBe('Bearer k1');
    expect(seen.body).toEqual({ model: 'm', messages: ask });
  });

  it('reads a streamed completion and treats finish_reason content_filter as blocked', async () => {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const c of ['hel', 'lo'])
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: c } }] })}\n\n`);
      res.write(
        `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'content_filter' }] })}\r\n\r\n`,
      );
      res.end('data: [DONE]\n\n');
    };
    const r = await target({ stream: true }).send(ask);
    expect(r).toMatchObject({
      status: 'blocked',
      content: 'hello',
      blockedBy: 'finish_reason content_filter',
    });
  });

  it('answers a guard refusal (4xx with a content-filter error) as blocked, other 4xx/5xx as typed errors', async () => {
    handler = (_q, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { message: 'prompt blocked', type: 'guard_blocked', code: 'prompt_blocked' },
        }),
      );
    expect(await target().send(ask)).toMatchObject({
      status: 'blocked',
      httpStatus: 400,
      blockedBy: 'guard_blocked',
    });
    handler = (_q, res) =>
      res
        .writeHead(400)
        .end(JSON.stringify({ error: { message: 'bad model', type: 'invalid_request_error' } }));
    expect(await codeOf(target().send(ask))).toBe('REDTEAM_TARGET_HTTP');
    handler = (_q, res) => res.writeHead(500).end('oops');
    expect(await codeOf(target().send(ask))).toBe('REDTEAM_TARGET_HTTP');
  });

  it('retries 429 with Retry-After, then gives up with a typed error', async () => {
    let calls = 0;
    handler = (_q, res) => {
      if (++calls < 3) return void res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      res.writeHead(200).end(completion('finally'));
    };
    expect((await target().send(ask)).content).toBe('finally');
    expect(calls).toBe(3);
    calls = 0;
    handler = (_q, res) => void (calls++, res.writeHead(429, { 'retry-after': '0' }).end());
    expect(await codeOf(target({ retries: 1 }).send(ask))).toBe('REDTEAM_TARGET_HTTP');
    expect(calls).toBe(2);
  });

  it('fails typed on timeouts, refused connections, non-JSON, non-chat JSON and oversize replies', async () => {
    handler = () => {}; // never answers
    expect(await codeOf(target({ timeoutMs: 150 }).send(ask))).toBe('REDTEAM_TARGET_TIMEOUT');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(
      await codeOf(
        new ChatTarget({
          url: `http://127.0.0.1:${port}/v1`,
          model: 'm',
          timeoutMs: 2000,
          stream: false,
          retries: 0,
        }).send(ask),
      ),
    ).toBe('REDTEAM_TARGET_UNREACHABLE');
    handler = (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
    expect(await codeOf(target().send(ask))).toBe('REDTEAM_TARGET_PROTOCOL');
    handler = (_q, res) => res.writeHead(200).end('{"data": []}');
    expect(await codeOf(target().send(ask))).toBe('REDTEAM_TARGET_PROTOCOL');
    handler = (_q, res) => res.writeHead(200).end(completion('x'.repeat(5000)));
    expect(await codeOf(target({ maxResponseBytes: 1000 }).send(ask))).toBe('REDTEAM_TARGET_PROTOCOL');
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
      setTimeout(() => res.end(), 5000); // stalls mid-stream
    };
    expect(await codeOf(target({ stream: true, timeoutMs: 200 }).send(ask))).toBe('REDTEAM_TARGET_TIMEOUT');
  });

  it('never throws anything but typed errors on mutated replies (fuzz)', async () => {
    const rnd = seededRandom(42);
    const good = completion('hello world');
    const sse = `data: ${JSON.stringify({ choices: [{ delta: { content: 'hi' } }] })}\n\ndata: [DONE]\n\n`;
    for (let i = 0; i < 60; i++) {
      const stream = i % 2 === 1;
      const bytes = Buffer.from(stream ? sse : good);
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++)
        bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      const cut = bytes.subarray(0, Math.max(1, Math.floor(bytes.length * (0.5 + rnd() / 2))));
      handler = (_q, res) =>
        res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' }).end(cut);
      const code = await codeOf(target({ stream }).send(ask));
      expect(['ok', 'REDTEAM_TARGET_PROTOCOL', 'REDTEAM_TARGET_HTTP']).toContain(code);
    }
  });
});

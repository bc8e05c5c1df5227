import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenError } from './errors.js';
import { jsonDepth, readJsonBody, sendError, sendJson, statusForError } from './http.js';

describe('statusForError', () => {
  it('maps kinds and codes in one place', () => {
    const e = (code: string, kind: 'usage' | 'input' | 'limit' | 'internal') =>
      new WardenError(code, 'x', { kind });
    expect(statusForError(e('USAGE', 'usage'))).toBe(400);
    expect(statusForError(e('GUARD_INPUT_INVALID', 'input'))).toBe(400);
    expect(statusForError(e('GUARD_INPUT_TOO_LARGE', 'limit'))).toBe(413);
    expect(statusForError(e('GATEWAY_RATE_LIMITED', 'limit'))).toBe(429);
    expect(statusForError(e('NOT_FOUND', 'input'))).toBe(404);
    expect(statusForError(e('HTTP_METHOD_NOT_ALLOWED', 'usage'))).toBe(405);
    expect(statusForError(e('GUARD_UPSTREAM_ERROR', 'internal'))).toBe(502);
    expect(statusForError(e('GUARD_UPSTREAM_TIMEOUT', 'internal'))).toBe(504);
    expect(statusForError(e('STORE_CONFLICT', 'input'))).toBe(409);
    expect(statusForError(e('GATEWAY_UNAUTHENTICATED', 'input'))).toBe(401);
    expect(statusForError(e('GATEWAY_FORBIDDEN', 'input'))).toBe(403);
    expect(statusForError(e('GATEWAY_UNAVAILABLE', 'internal'))).toBe(503);
    expect(statusForError(e('STORE_UNAVAILABLE', 'internal'))).toBe(503);
    expect(statusForError(new Error('boom'))).toBe(500);
  });
});

describe('jsonDepth', () => {
  it('counts brackets outside strings only, linearly', () => {
    expect(jsonDepth('{"a": [1, {"b": []}]}')).toBe(4);
    expect(jsonDepth('"[[[[" ')).toBe(0);
    expect(jsonDepth('["\\"[[[", ["\\\\"]]')).toBe(2);
    expect(jsonDepth('['.repeat(100_000))).toBe(100_000);
  });
});

describe('readJsonBody over a real socket', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      readJsonBody(req, { maxBytes: 1024, maxDepth: 8 }).then(
        (body) => sendJson(res, 200, { body }),
        (e) => sendError(res, e),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (body: string | Buffer, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: 'POST', body, headers });
    return { status: res.status, json: (await res.json()) as { code?: string; body?: unknown } };
  };

  it('parses a JSON body', async () => {
    expect(await post('{"text": "hi"}')).toEqual({ status: 200, json: { body: { text: 'hi' } } });
  });

  it('rejects empty, invalid JSON, invalid UTF-8 and deep nesting with 400', async () => {
    expect((await post('')).status).toBe(400);
    expect(await post('{"a":')).toMatchObject({ status: 400, json: { code: 'HTTP_BODY_INVALID' } });
    expect(await post(Buffer.from([0x22, 0xff, 0xfe, 0x22]))).toMatchObject({
      status: 400,
      json: { code: 'HTTP_BODY_INVALID' },
    });
    expect(await post('['.repeat(900))).toMatchObject({ status: 400, json: { code: 'HTTP_BODY_TOO_DEEP' } });
    // many brackets: those in strings do not nest, those in mixed objects and arrays do
    const flat = JSON.stringify({
      s: '[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{',
      a: [[1], [2], [3], [4], [5], [6], [7]],
    });
    expect((await post(flat)).status).toBe(200);
    const mixed = '{"a":'.repeat(20) + '[1]' + '}'.repeat(20);
    expect(await post(mixed)).toMatchObject({ status: 400, json: { code: 'HTTP_BODY_TOO_DEEP' } });
  });

  it('answers 413 for a declared or streamed oversize body and keeps serving', async () => {
    expect(await post('x'.repeat(2048))).toMatchObject({
      status: 413,
      json: { code: 'HTTP_BODY_TOO_LARGE' },
    });
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 64; i++) c.enqueue(new Uint8Array(1024).fill(0x20));
        c.close();
      },
    });
    const res = await fetch(url, { method: 'POST', body: chunked, duplex: 'half' });
    expect(res.status).toBe(413);
    expect(await post('[1]')).toEqual({ status: 200, json: { body: [1] } });
  });
});

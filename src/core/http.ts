import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { WardenError, toWardenError } from './errors.js';

/** Error codes the HTTP edge raises itself (domains bring their own). */
export type HttpErrorCode =
  | 'HTTP_BODY_TOO_LARGE'
  | 'HTTP_BODY_INVALID'
  | 'HTTP_BODY_TOO_DEEP'
  | 'HTTP_METHOD_NOT_ALLOWED'
  | 'NOT_FOUND';

// Codes whose status the error kind alone cannot tell.
const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  HTTP_METHOD_NOT_ALLOWED: 405,
  GATEWAY_UNAUTHENTICATED: 401,
  GATEWAY_FORBIDDEN: 403,
  GATEWAY_EXTRACTION_BLOCKED: 403,
  GATEWAY_MODEL_NOT_FOUND: 404,
  GATEWAY_KEY_NOT_FOUND: 404,
  GATEWAY_UNAVAILABLE: 503,
  STORE_CONFLICT: 409,
  STORE_UNAVAILABLE: 503,
  STORE_BUSY: 503,
  REGISTRY_NOT_FOUND: 404,
  REGISTRY_DUPLICATE: 409,
  REGISTRY_CONFLICT: 409,
  REGISTRY_GATE_FAILED: 409,
  REGISTRY_SELF_APPROVAL: 403,
  REGISTRY_FORBIDDEN: 403,
};

/**
 * The one mapping from a Warden error to an HTTP status: usage/input 400, limit 413 (429 for rate limits),
 * unauthenticated 401, forbidden 403, NOT_FOUND 404, store conflicts 409, an unavailable store 503, upstream failures 502 (504 on timeout),
 * internal 500.
 */
export function statusForError(e: unknown): number {
  const err = toWardenError(e);
  const byCode = STATUS_BY_CODE[err.code];
  if (byCode !== undefined) return byCode;
  if (/UPSTREAM_TIMEOUT$/.test(err.code)) return 504;
  if (/UPSTREAM/.test(err.code)) return 502;
  switch (err.kind) {
    case 'usage':
    case 'input':
      return 400;
    case 'limit':
      return /RATE/.test(err.code) ? 429 : 413;
    case 'internal':
      return 500;
  }
}

/** Writes a JSON response; `extra` headers win over the defaults. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: OutgoingHttpHeaders = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(text);
}

/** Answers an error as `{"error": message, "code": code}`; internal details never reach the client. */
export function sendError(res: ServerResponse, e: unknown, extra: OutgoingHttpHeaders = {}): void {
  const err = toWardenError(e);
  const status = statusForError(err);
  const message = err.kind === 'internal' ? 'internal error' : err.message;
  sendJson(res, status, { error: message, code: err.code }, extra);
}

export function httpError(code: HttpErrorCode, message: string, kind: 'input' | 'limit' = 'input') {
  return new WardenError<HttpErrorCode>(code, message, { kind });
}

/** Limits of `readJsonBody`. */
export interface JsonBodyLimits {
  maxBytes: number;
  /** Deepest allowed nesting of arrays and objects. */
  maxDepth: number;
}

/**
 * Reads and parses a JSON request body within bounds: the byte limit is enforced while reading (413, the rest
 * is drained unbuffered so the client still gets the answer), invalid UTF-8 or JSON is 400, and nesting is
 * checked by a linear scan before JSON.parse so a hostile depth cannot exhaust the stack.
 */
export async function readJsonBody(req: IncomingMessage, limits: JsonBodyLimits): Promise<unknown> {
  return parseJsonBody(await readBody(req, limits.maxBytes), limits.maxDepth);
}

/** Reads a request body of at most `maxBytes` (413 past it, the rest drained so the client gets the answer). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    drain(req, maxBytes);
    throw tooLarge(maxBytes);
  }
  return collect(req, maxBytes);
}

/** Parses a body read by `readBody` as JSON: empty, invalid UTF-8, too deep or invalid JSON are 400s. */
export function parseJsonBody(body: Buffer, maxDepth: number): unknown {
  if (body.length === 0) throw httpError('HTTP_BODY_INVALID', 'request body is empty; expected JSON');
  if (!isUtf8(body)) throw httpError('HTTP_BODY_INVALID', 'request body is not valid UTF-8');
  const decoded = body.toString('utf8');
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded; // a BOM is not JSON
  // nesting can be no deeper than the number of opening brackets: most bodies are cleared by counting them
  const depth = openings(body, maxDepth) > maxDepth ? jsonDepth(text) : 0;
  if (depth > maxDepth)
    throw httpError('HTTP_BODY_TOO_DEEP', `JSON nesting is deeper than ${maxDepth} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw httpError('HTTP_BODY_INVALID', `request body is not valid JSON: ${(e as Error).message}`);
  }
}

// Counts '[' and '{' bytes (inside strings too: an overcount only means a full scan), stopping past `max`.
function openings(body: Buffer, max: number): number {
  let n = 0;
  for (const c of [0x5b, 0x7b])
    for (let i = body.indexOf(c); i >= 0 && n <= max; i = body.indexOf(c, i + 1)) n++;
  return n;
}

// Only the characters that can change nesting or string state; everything else (digits, commas, letters)
// is skipped by the regex engine, which makes the scan cheap on the large numeric arrays of tensor payloads.
const STRUCTURAL = /[[\]{}"\\]/g;

/** Deepest array/object nesting of a JSON text, counting brackets outside strings (no parse, O(n)). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  STRUCTURAL.lastIndex = 0;
  for (let m = STRUCTURAL.exec(text); m !== null; m = STRUCTURAL.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (inString) {
      if (c === 0x5c)
        STRUCTURAL.lastIndex = m.index + 2; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function tooLarge(maxBytes: number): WardenError {
  return httpError('HTTP_BODY_TOO_LARGE', `request body is larger than ${maxBytes} bytes`, 'limit');
}

// Collects the body with listeners, not `for await`: leaving an async iterator early destroys the socket,
// and the oversize case must keep it open to answer 413 while the rest is drained.
function collect(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      drain(req, maxBytes);
      reject(tooLarge(maxBytes));
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    const fail = (why: string): void => reject(httpError('HTTP_BODY_INVALID', `request body ${why}`));
    req.on('error', (e) => fail(`could not be read: ${e.message}`));
    req.on('close', () => (req.complete ? undefined : fail('was cut off')));
  });
}

// Discards the rest of an oversize body so the 413 reaches the client; a body far past the limit is cut off.
function drain(req: IncomingMessage, maxBytes: number): void {
  let discarded = 0;
  const cap = Math.max(maxBytes, 1 << 20) * 16;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > cap) req.destroy();
  });
  req.on('error', () => {});
  req.resume();
}

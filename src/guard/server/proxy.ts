import type { IncomingMessage, ServerResponse } from 'node:http';
import { toWardenError } from '../../core/index.js';
import { httpError, readJsonBody, sendJson, statusForError } from '../../core/http.js';
import { guardError } from '../errors.js';
import { Vault } from '../vault.js';
import { makeCanary, plantCanary } from '../detectors/text/index.js';
import type { GuardResult } from '../types.js';
import type { GuardContext } from './handler.js';
import { compactFinding } from './lines.js';
import { ChatRequestSchema, parseBody, type ChatMessage } from './schemas.js';
import { openUpstream, parseUpstreamJson, readBounded } from './upstream.js';
import { pipeGuardedStream } from './sse.js';
import { refusal, scanOrRefuse } from './stream.js';

/** Where the proxy forwards chat completions. */
export interface UpstreamOptions {
  /** OpenAI-compatible base URL; requests go to `${baseUrl}/chat/completions`. */
  baseUrl: string;
  /** Sent as a Bearer token; without it the client's Authorization header is forwarded. */
  apiKey?: string;
  /** Time to the response, and the longest gap between stream chunks (default 60 s). */
  timeoutMs?: number;
  /** Largest non-streamed response read from the upstream (default 16 MiB). */
  maxResponseBytes?: number;
}

/** A prompt finding located in the request: which message and, for array content, which part. */
type LocatedFinding = ReturnType<typeof compactFinding> & { message: number; part?: number };

/**
 * `POST /v1/chat/completions`: scans the scanned roles' messages, refuses a blocked prompt without contacting
 * the upstream, forwards the sanitized conversation, and guards the answer (whole, or as it streams).
 */
export async function handleChat(
  ctx: GuardContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const upstream = ctx.upstream;
    if (!upstream)
      throw httpError('NOT_FOUND', 'no upstream configured: start the server with --upstream URL');
    const body = parseBody(ChatRequestSchema, await readJsonBody(req, ctx.limits));
    const vault = new Vault();
    const { messages: scanned, findings, blocked, prompt } = guardMessages(ctx, body.messages, vault);
    if (blocked) {
      // set (not passed to writeHead) so that a gateway in front can read them back for its audit record
      res.setHeader('x-warden-guard', 'blocked');
      res.setHeader(
        'x-warden-guard-detectors',
        [...new Set(findings.filter((f) => f.action === 'block').map((f) => f.detector))].join(','),
      );
      return sendJson(res, 400, {
        error: {
          message: `prompt ${refusal(findings).slice(1, -1)}`,
          type: 'guard_blocked',
          code: 'prompt_blocked',
          param: null,
        },
        findings,
      });
    }
    const canary = ctx.canary ? makeCanary() : undefined;
    const messages = canary ? plantInSystem(scanned, canary) : scanned;
    const call = await openUpstream(upstream, { ...body, messages }, req, res);
    const canaries = canary && messages !== scanned ? [canary] : [];
    const scan = (text: string): GuardResult =>
      ctx.guard.scanOutput(text, { vault, canaries, ...(prompt ? { prompt } : {}) });
    const isStream = (call.response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (body.stream && isStream) return await pipeGuardedStream(call, res, { scan, vault });
    const raw = await readBounded(call, upstream.maxResponseBytes ?? 16 * 1024 * 1024);
    call.done();
    const doc = parseUpstreamJson(raw, 'a response');
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw guardError('GUARD_UPSTREAM_ERROR', 'upstream sent a response that is not a JSON object');
    const anyBlocked = guardCompletion(doc, scan, vault);
    res.setHeader('x-warden-guard', anyBlocked ? 'blocked' : 'pass');
    sendJson(res, 200, doc);
  } catch (e) {
    if (res.headersSent) throw e;
    sendOpenAIError(res, e);
    req.resume();
  }
}

function guardMessages(ctx: GuardContext, input: ChatMessage[], vault: Vault) {
  const findings: LocatedFinding[] = [];
  let blocked = false;
  let prompt = '';
  const scanText = (text: string, message: number, part?: number): string => {
    const r = ctx.guard.scanInput(text, { vault });
    blocked ||= r.flagged;
    for (const f of r.findings)
      findings.push({ ...compactFinding(f), message, ...(part !== undefined ? { part } : {}) });
    return r.sanitized;
  };
  const messages = input.map((m, i): ChatMessage => {
    if (!ctx.scanRoles.includes(m.role) || m.content === null || m.content === undefined) return m;
    if (typeof m.content === 'string') {
      const content = scanText(m.content, i);
      if (m.role === 'user') prompt = content;
      return { ...m, content };
    }
    const parts = m.content.map((p, j) =>
      p.type === 'text' && typeof p.text === 'string' ? { ...p, text: scanText(p.text, i, j) } : p,
    );
    return { ...m, content: parts };
  });
  return { messages, findings, blocked, prompt };
}

/** A non-streamed chat completion as far as the proxy reads it; the rest is returned untouched. */
interface Completion {
  choices?: unknown;
}

/** Guards every choice's text in place: a refusal with `content_filter`, or the sanitized, restored text. */
function guardCompletion(doc: Completion, scan: (t: string) => GuardResult, vault: Vault): boolean {
  let anyBlocked = false;
  for (const choice of Array.isArray(doc.choices) ? (doc.choices as unknown[]) : []) {
    if (typeof choice !== 'object' || choice === null) continue;
    const c = choice as { message?: { content?: unknown }; finish_reason?: unknown };
    if (typeof c.message !== 'object' || c.message === null || typeof c.message.content !== 'string')
      continue;
    const verdict = scanOrRefuse(scan, c.message.content);
    if ('refused' in verdict) {
      c.message.content = verdict.refused;
      c.finish_reason = 'content_filter';
      anyBlocked = true;
    } else c.message.content = vault.restore(verdict.sanitized);
  }
  return anyBlocked;
}

/**
 * Plants the canary in the first system message (appended to its text); a conversation without one gets
 * none, since adding a system prompt would change the model's behaviour. Returns the input when unplanted.
 */
function plantInSystem(messages: ChatMessage[], canary: string): ChatMessage[] {
  const i = messages.findIndex((m) => m.role === 'system' || m.role === 'developer');
  const m = messages[i];
  if (!m) return messages;
  let content: ChatMessage['content'];
  if (typeof m.content === 'string') content = plantCanary(m.content, canary);
  else if (Array.isArray(m.content)) {
    const last = m.content.findLastIndex((p) => p.type === 'text' && typeof p.text === 'string');
    if (last < 0) return messages;
    content = m.content.map((p, j) => (j === last ? { ...p, text: plantCanary(p.text ?? '', canary) } : p));
  } else return messages;
  return messages.map((x, j) => (j === i ? { ...x, content } : x));
}

/** Errors of the proxy route in the OpenAI error shape clients of that API parse; the status is core's. */
export function sendOpenAIError(res: ServerResponse, e: unknown): void {
  const err = toWardenError(e);
  const status = statusForError(err);
  const type = status >= 502 ? 'upstream_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const message = err.kind === 'internal' && status === 500 ? 'internal error' : err.message;
  sendJson(res, status, { error: { message, type, code: err.code, param: null } });
}

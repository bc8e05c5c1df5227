#!/usr/bin/env node
// TEST TARGET, not a language model: an OpenAI-compatible chat server (POST /v1/chat/completions, streamed and
// not) whose answers come from the fixed rules in behaviour.mjs. It exists so that `warden redteam` and the
// secure-rag example have a deterministic, offline target that fails the way real models are documented to fail.
//
//   node examples/vulnerable-assistant/server.mjs [--host 127.0.0.1] [--port 8790] [--api-key KEY] [--delay-ms N]
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { respond } from './behaviour.mjs';

export const MODEL_ID = 'vulnerable-assistant-test-target';
const MAX_BODY = 1 << 20;
const MAX_MESSAGES = 1000;

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-test-target': 'vulnerable-assistant',
    ...headers,
  });
  res.end(text);
}

const fail = (res, status, message, code) =>
  send(res, status, { error: { message, type: 'invalid_request_error', code, param: null } });

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('request body is larger than 1 MiB'), { status: 413 }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Checks the request the way the OpenAI API does, just enough to refuse what the rules cannot read. */
function validate(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'messages must be a non-empty array';
  if (body.messages.length > MAX_MESSAGES) return `at most ${MAX_MESSAGES} messages`;
  for (const [i, m] of body.messages.entries()) {
    if (typeof m !== 'object' || m === null || typeof m.role !== 'string')
      return `messages[${i}].role is missing`;
    const c = m.content;
    if (c !== undefined && c !== null && typeof c !== 'string' && !Array.isArray(c))
      return `messages[${i}].content must be a string or an array`;
  }
  return undefined;
}

let counter = 0;

function streamReply(res, model, content, rule) {
  const id = `chatcmpl-test-${++counter}`;
  const created = Math.floor(Date.now() / 1000);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-test-target': 'vulnerable-assistant',
    'x-test-target-rule': rule,
  });
  const chunk = (delta, finish = null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  for (let i = 0; i < content.length; i += 24) res.write(chunk({ content: content.slice(i, i + 24) }));
  res.write(chunk({}, 'stop'));
  res.end('data: [DONE]\n\n');
}

async function handleChat(req, res, opts) {
  if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`)
    return send(res, 401, {
      error: { message: 'invalid API key', type: 'authentication_error', code: 'invalid_api_key' },
    });
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch (e) {
    return fail(
      res,
      e.status ?? 400,
      e.status ? e.message : 'request body is not valid JSON',
      'invalid_body',
    );
  }
  const why = validate(body);
  if (why) return fail(res, 400, why, 'invalid_request');
  if (opts.delayMs > 0) await new Promise((r) => setTimeout(r, opts.delayMs));
  const { content, rule } = respond(body.messages);
  const model = typeof body.model === 'string' && body.model ? body.model : MODEL_ID;
  if (body.stream === true) return streamReply(res, model, content, rule);
  const words = (s) => Math.ceil(s.length / 4);
  const prompt = body.messages.reduce((n, m) => n + words(typeof m.content === 'string' ? m.content : ''), 0);
  send(
    res,
    200,
    {
      id: `chatcmpl-test-${++counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'warden-test-target',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: words(content),
        total_tokens: prompt + words(content),
      },
    },
    { 'x-test-target-rule': rule },
  );
}

/** Starts the test target; resolves with its OpenAI base URL (`http://host:port/v1`) and a close function. */
export async function startVulnerableAssistant(opts = {}) {
  const o = {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    apiKey: opts.apiKey,
    delayMs: opts.delayMs ?? 0,
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    res.on('error', () => {});
    const route = async () => {
      if (path === '/v1/chat/completions' && req.method === 'POST') return handleChat(req, res, o);
      if (path === '/v1/models' && req.method === 'GET')
        return send(res, 200, {
          object: 'list',
          data: [{ id: MODEL_ID, object: 'model', owned_by: 'warden-test-target' }],
        });
      if (path === '/healthz') return send(res, 200, { status: 'ok', testTarget: true, llm: false });
      return fail(res, 404, `no route ${req.method} ${path}`, 'not_found');
    };
    route().catch((e) =>
      res.headersSent ? res.destroy() : fail(res, 500, String(e?.message ?? e), 'internal'),
    );
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address();
  return {
    url: `http://${o.host}:${port}/v1`,
    server,
    close: () => new Promise((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

function flag(argv, name, dflt) {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const port = Number(flag(argv, '--port', '8790'));
  const delayMs = Number(flag(argv, '--delay-ms', '0'));
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isFinite(delayMs) || delayMs < 0) {
    process.stderr.write('usage: server.mjs [--host H] [--port N] [--api-key KEY] [--delay-ms N]\n');
    process.exit(2);
  }
  const t = await startVulnerableAssistant({
    host: flag(argv, '--host', '127.0.0.1'),
    port,
    apiKey: flag(argv, '--api-key'),
    delayMs,
  });
  process.stdout.write(`vulnerable-assistant (TEST TARGET, not an LLM) listening on ${t.url}\n`);
  const stop = () => void t.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

#!/usr/bin/env node
// secure-rag: a small retrieval-augmented chatbot over docs/ behind Warden's guard (OpenAI-compatible API).
//
//   node examples/secure-rag/server.mjs [--port 8788] [--host 127.0.0.1] [--upstream URL] [--model NAME]
//        [--no-warden] [--docs DIR] [--audit FILE] [--rate N] [--burst N] [--top-k N]
//
// Without --upstream it starts the vulnerable-assistant TEST TARGET in-process and uses it as the model.
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRagApp } from './rag.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Starts the chatbot; resolves with `{ url, app, close }` (`url` is the OpenAI base URL, ending in /v1). */
export async function startSecureRag(opts = {}) {
  let upstream = opts.upstream;
  let stopUpstream = async () => {};
  if (!upstream) {
    const { startVulnerableAssistant } = await import('../vulnerable-assistant/server.mjs');
    const t = await startVulnerableAssistant({ host: '127.0.0.1', port: 0 });
    upstream = t.url;
    stopUpstream = t.close;
  }
  const app = createRagApp({
    upstream,
    model: opts.model,
    apiKey: opts.apiKey,
    warden: opts.warden !== false,
    docsDir: opts.docsDir ?? join(HERE, 'docs'),
    referencePath: opts.referencePath ?? join(HERE, 'reference-queries.txt'),
    auditPath: opts.auditPath ?? join(mkdtempSync(join(tmpdir(), 'secure-rag-')), 'audit.jsonl'),
    rate: opts.rate,
    burst: opts.burst,
    topK: opts.topK,
  });
  const server = createServer(app.handler);
  const host = opts.host ?? '127.0.0.1';
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  return {
    url: `http://${host}:${server.address().port}/v1`,
    upstream,
    app,
    close: async () => {
      await new Promise((r) => (server.close(() => r()), server.closeAllConnections()));
      await stopUpstream();
    },
  };
}

function flags(argv) {
  const get = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name) => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      process.stderr.write(`${name} must be a non-negative number\n`);
      process.exit(2);
    }
    return n;
  };
  return {
    host: get('--host'),
    port: num('--port') ?? 8788,
    upstream: get('--upstream'),
    model: get('--model'),
    apiKey: get('--upstream-key-env') ? process.env[get('--upstream-key-env')] : undefined,
    warden: !argv.includes('--no-warden'),
    docsDir: get('--docs'),
    auditPath: get('--audit'),
    rate: num('--rate'),
    burst: num('--burst'),
    topK: num('--top-k'),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await startSecureRag(flags(process.argv.slice(2)));
  const mode = s.app.warden ? 'Warden ON' : 'Warden OFF';
  process.stdout.write(
    `secure-rag (${mode}) listening on ${s.url} (upstream ${s.upstream}, audit ${s.app.audit.path})\n`,
  );
  const stop = () => void s.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

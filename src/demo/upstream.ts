import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An OpenAI-compatible chat server behind the gateway's guarded route, and how to stop it. */
export interface ChatUpstream {
  url: string;
  kind: 'vulnerable-assistant' | 'echo';
  close(): Promise<void>;
}

const ASSISTANT = new URL('../../examples/vulnerable-assistant/server.mjs', import.meta.url);

/**
 * Starts the repository's deterministic test target (examples/vulnerable-assistant, not a language model)
 * in this process; where the examples are not installed (the npm package ships without them), a minimal
 * echo server takes its place, since the guard refuses an injection before any upstream is asked.
 */
export async function startChatUpstream(assistant: URL = ASSISTANT): Promise<ChatUpstream> {
  try {
    const mod = (await import(assistant.href)) as {
      startVulnerableAssistant(o: { port: number }): Promise<{ url: string; close(): Promise<void> }>;
    };
    const t = await mod.startVulnerableAssistant({ port: 0 });
    return { url: t.url, kind: 'vulnerable-assistant', close: () => t.close() };
  } catch {
    return startEcho();
  }
}

async function startEcho(): Promise<ChatUpstream> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let last = '';
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          messages?: { content?: unknown }[];
        };
        const m = body.messages?.at(-1)?.content;
        last = typeof m === 'string' ? m.slice(0, 200) : '';
      } catch {
        // an unreadable body gets the empty echo
      }
      const text = JSON.stringify({
        id: 'chatcmpl-echo',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'echo',
        choices: [
          { index: 0, message: { role: 'assistant', content: `You said: ${last}` }, finish_reason: 'stop' },
        ],
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    kind: 'echo',
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

import { describe, expect, it } from 'vitest';
import { startChatUpstream } from './upstream.js';

describe('startChatUpstream', () => {
  it("starts the repository's test target in process and answers an OpenAI chat request", async () => {
    const u = await startChatUpstream();
    try {
      expect(u.kind).toBe('vulnerable-assistant');
      expect(u.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await fetch(`${u.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    } finally {
      await u.close();
    }
  });

  it('falls back to an echo server where the examples are not installed', async () => {
    const u = await startChatUpstream(new URL('./no-such-example.mjs', import.meta.url));
    try {
      expect(u.kind).toBe('echo');
      const res = await fetch(`${u.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'ping' }] }),
      });
      const body = (await res.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content).toBe('You said: ping');
    } finally {
      await u.close();
    }
  });
});

// Relays an upstream SSE chat stream to the client. With a guard (Warden's ChoiceGuard), the first choice's
// text is released only after the guard has seen it; a block ends the stream with a content_filter chunk.
import { SseParser } from 'ml-warden/guard';

export async function relayStream(up, res, guard) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const reader = up.body.getReader();
  if (!guard) {
    // unguarded: bytes pass through as they come
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
    return { blocked: false };
  }
  let head = {
    id: 'secure-rag',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: '',
  };
  const send = (data) => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  const chunk = (content, finish = null) => ({
    ...head,
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  });
  const end = (blocked) => {
    if (blocked) send(chunk(`${guard.started ? '\n' : ''}${guard.blocked}`, 'content_filter'));
    else {
      const rest = guard.finish();
      if (guard.blocked !== undefined) return end(true);
      if (rest) send(chunk(rest));
      send(chunk('', 'stop'));
    }
    send('[DONE]');
    res.end();
    return { blocked };
  };
  const parser = new SseParser();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const data of parser.push(decoder.decode(value, { stream: true }))) {
        if (data === '[DONE]') return end(false);
        let c;
        try {
          c = JSON.parse(data);
        } catch {
          continue; // a malformed event carries nothing to relay
        }
        if (typeof c.id === 'string') head = { ...head, id: c.id };
        if (typeof c.model === 'string') head = { ...head, model: c.model };
        const content = c?.choices?.[0]?.delta?.content;
        if (typeof content !== 'string') continue;
        const text = guard.push(content);
        if (guard.blocked !== undefined) return end(true);
        if (text) send(chunk(text));
      }
    }
    return end(false);
  } finally {
    reader.cancel().catch(() => {});
  }
}

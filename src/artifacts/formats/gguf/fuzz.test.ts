import { describe, it } from 'vitest';
import { expectFuzzOk as check, fuzzFamily } from '../text/testing.js';
import { buildGguf, type GgufValue } from './writer.js';

function seeds(): Array<[string, Buffer]> {
  const kvs: Array<[string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.alignment', { type: 'u32', value: 32 }],
    ['llama.context_length', { type: 'u64', value: 4096 }],
    ['tokenizer.ggml.tokens', { type: 'array', elem: 'string', values: ['<s>', '</s>', 'a', 'b', 'c'] }],
    ['tokenizer.ggml.scores', { type: 'array', elem: 'f32', values: [0, 0, 1, 2, 3] }],
    ['nested', { type: 'array', elem: 'array', values: [{ type: 'array', elem: 'i32', values: [1, 2] }] }],
    [
      'tokenizer.chat_template',
      { type: 'string', value: "{% for m in messages %}{{ m['content'] }}{% endfor %}" },
    ],
  ];
  const tensors = [
    { name: 'a', dims: [4, 4], type: 0, offset: 0, bytes: 64 },
    { name: 'b', dims: [32], type: 8, offset: 64, bytes: 34 },
  ];
  return [
    ['v3', buildGguf(kvs, tensors)],
    ['v2', buildGguf(kvs, tensors, { version: 2 })],
    ['v1', buildGguf(kvs, tensors, { version: 1 })],
    ['no-tensors', buildGguf(kvs.slice(0, 2), [])],
  ];
}

describe('GGUF fuzz', () => {
  it('survives 800 mutated files', async () => {
    check(await fuzzFamily(seeds(), 'gguf', 800, 0x6607));
  });
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Guard } from '../pipeline.js';
import { readLines, scanJsonLine, type RawLine } from './lines.js';

async function collect(chunks: Buffer[], max: number): Promise<RawLine[]> {
  const out: RawLine[] = [];
  for await (const l of readLines(Readable.from(chunks) as AsyncIterable<Buffer>, max)) out.push(l);
  return out;
}

describe('readLines', () => {
  it('splits across chunk boundaries, strips CR, keeps a last line without newline', async () => {
    const bytes = Buffer.from('ab\r\ncd\n\néé\nlast');
    for (let cut = 1; cut < bytes.length; cut++)
      expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)], 100)).toEqual([
        'ab',
        'cd',
        '',
        'éé',
        'last',
      ]);
    expect(await collect([Buffer.from('x\n')], 10)).toEqual(['x']);
  });

  it('reports over-long and non-UTF-8 lines without buffering them, then goes on', async () => {
    const long = Buffer.alloc(5000, 0x61);
    const out = await collect(
      [long.subarray(0, 100), long.subarray(100), Buffer.from('\nok\n\xff\n'), Buffer.from([0xff, 0x0a])],
      64,
    );
    expect(out).toEqual([
      { error: 'line is longer than 64 bytes' },
      'ok',
      'ÿ',
      { error: 'line is not valid UTF-8' },
    ]);
  });
});

describe('scanJsonLine', () => {
  const guard = new Guard({ input: [{ detector: 'length', action: 'block', options: { maxChars: 3 } }] });
  const opts = { direction: 'input' as const };
  it('answers each kind of line', () => {
    expect(scanJsonLine(guard, '{"id": 1, "text": "abcd"}', 1, opts)).toMatchObject({
      flagged: true,
      error: false,
    });
    expect(JSON.parse(scanJsonLine(guard, '[[[[1]]]]', 2, opts).json)).toMatchObject({
      line: 2,
      error: { code: 'GUARD_INPUT_INVALID' },
    });
    expect(scanJsonLine(guard, '['.repeat(10_000), 3, opts).error).toBe('input');
    expect(scanJsonLine(guard, { error: 'too long' }, 4, opts).json).toBe(
      '{"error":{"code":"GUARD_INPUT_INVALID","message":"too long"},"line":4}',
    );
  });
});

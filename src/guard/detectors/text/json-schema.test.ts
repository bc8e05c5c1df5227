import { describe, expect, it } from 'vitest';
import { jsonSchemaDetector } from './json-schema.js';
import { nestingDepth } from './json-extract.js';
import { Guard } from '../../pipeline.js';
import { isWardenError } from '../../../core/index.js';
import type { DetectContext } from '../../types.js';

const ctx: DetectContext = { direction: 'output', depth: 0, canaries: [] };
const make = (o: object) => jsonSchemaDetector.create(jsonSchemaDetector.options.parse(o));
const schema = {
  type: 'object',
  required: ['name', 'age'],
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0 },
    email: { type: 'string', format: 'email' },
  },
  additionalProperties: false,
};
const det = make({ schema });
const detect = (t: string) => det.detect(t, ctx).detections;

describe('json_schema', () => {
  it('accepts valid JSON as the whole text, in a ```json fence or embedded in prose', () => {
    expect(detect(' {"name": "Ada", "age": 36} ')).toEqual([]);
    expect(
      detect('Here you go:\n```json\n{"name": "Ada", "age": 36, "email": "ada@example.com"}\n```\nDone.'),
    ).toEqual([]);
    expect(detect('Sure! {"name": "Ada", "age": 36} Hope that helps.')).toEqual([]);
  });

  it('reports schema violations with a summary of the errors over the JSON span', () => {
    const text = 'Result:\n```json\n{"name": 5, "age": -1, "email": "nope", "extra": true}\n```';
    const [d, ...rest] = detect(text);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ type: 'json_schema.invalid', score: 1 });
    expect(text.slice(d?.start, d?.end)).toBe('{"name": 5, "age": -1, "email": "nope", "extra": true}');
    expect(d?.detail).toContain('/name must be string');
    expect(d?.detail).toContain('/age must be >= 0');
    expect(d?.detail).toContain('format "email"');
    expect(d?.meta?.errors).toBe(4);
  });

  it('flags text without JSON only when requireJson is on', () => {
    expect(detect('I cannot answer that.')).toEqual([
      expect.objectContaining({ type: 'json_schema.not_json', start: 0, end: 21 }),
    ]);
    expect(make({ schema, requireJson: false }).detect('I cannot answer that.', ctx).detections).toEqual([]);
    expect(make({}).detect('[1, "two", null]', ctx).detections).toEqual([]);
    expect(make({}).detect('{"broken": ', ctx).detections[0]?.type).toBe('json_schema.not_json');
  });

  it('bounds depth and size before parsing', () => {
    expect(nestingDepth('{"a": "[[[[", "b": [[1]]}', 10)).toBe(3);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const [d] = make({}).detect(deep, ctx).detections;
    expect(d).toMatchObject({ type: 'json_schema.invalid' });
    expect(d?.detail).toMatch(/deeper than 64/);
    expect(make({ maxChars: 10 }).detect('{"name": "Ada Lovelace"}', ctx).detections[0]?.detail).toMatch(
      /exceeds/,
    );
  });

  it('rejects an invalid schema when the policy loads', () => {
    expect(jsonSchemaDetector.options.safeParse({ schema: { type: 'nonsense' } }).success).toBe(false);
    try {
      new Guard({ output: [{ detector: 'json_schema', options: { schema: { minimum: 'x' } } }] });
      expect.unreachable();
    } catch (e) {
      expect(isWardenError(e) && e.code).toBe('GUARD_POLICY_INVALID');
    }
  });

  it('blocks through the pipeline', () => {
    const g = new Guard({ output: [{ detector: 'json_schema', options: { schema } }] });
    expect(g.scanOutput('{"name": "Ada", "age": 36}').flagged).toBe(false);
    expect(g.scanOutput('{"name": "Ada"}').flagged).toBe(true);
  });
});

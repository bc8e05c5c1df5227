import { describe, expect, it } from 'vitest';
import { inflections, topicsDetector } from './topics.js';
import { Guard } from '../../pipeline.js';
import type { DetectContext } from '../../types.js';

const ctx: DetectContext = { direction: 'output', depth: 0, canaries: [] };
const make = (o: object) => topicsDetector.create(topicsDetector.options.parse(o));
const weapons = make({
  topics: [
    { name: 'weapons', keywords: ['bomb', 'knife', 'assault rifle', 'ammunition', 'détonateur'] },
    { name: 'medical', keywords: ['diagnosis', 'prescriptions'] },
  ],
});
const detect = (t: string) => weapons.detect(t, ctx);

describe('topics', () => {
  it('folds plurals and verb forms', () => {
    expect(inflections('bomb')).toEqual(expect.arrayContaining(['bombs', 'bombing', 'bombed', 'bomber']));
    expect(inflections('knife')).toContain('knives');
    expect(inflections('party')).toEqual(expect.arrayContaining(['parties', 'partied']));
    expect(inflections('stab')).toEqual(expect.arrayContaining(['stabbing', 'stabbed']));
    expect(inflections('prescriptions')).toContain('prescription');
    expect(inflections('box')).toContain('boxes');
  });

  it('matches whole words case-insensitively, across spaces and hyphens, unicode-aware', () => {
    const text = 'BOMBS, Knives and an assault-rifle. Also D\u00c9TONATEURS.';
    const r = detect(text);
    expect(r.detections.map((d) => text.slice(d.start, d.end))).toEqual([
      'BOMBS',
      'Knives',
      'assault-rifle',
      'D\u00c9TONATEURS',
    ]);
    expect(r.detections.every((d) => d.type === 'topic.weapons')).toBe(true);
    expect(r.detections[0]?.meta).toMatchObject({ keyword: 'bomb', distinct: 4 });
  });

  it('does not match inside other words', () => {
    expect(
      detect('The bombastic knifelike ammunitions? No: Bombay and caf\u00e9bomb.').detections.map(
        (d) => d.meta?.keyword,
      ),
    ).toEqual(['ammunition']);
  });

  it('scores by the number of distinct keywords', () => {
    const one = detect('a bomb, another bomb, bombs').detections;
    expect(one).toHaveLength(3);
    expect(one[0]?.score).toBe(0.65);
    expect(detect('bomb and knife').score).toBe(0.8);
    expect(detect('bomb, knife, ammunition and an assault rifle').score).toBe(1);
    expect(detect('your diagnosis and two prescription').detections.map((d) => d.type)).toEqual([
      'topic.medical',
      'topic.medical',
    ]);
  });

  it('is silent by default and on unrelated text, and blocks through the pipeline', () => {
    expect(make({}).detect('bomb', ctx)).toEqual({ score: 0, detections: [] });
    expect(detect('The weather is lovely today.').detections).toEqual([]);
    const g = new Guard({
      output: [{ detector: 'topics', options: { topics: [{ name: 'x', keywords: ['falcon'] }] } }],
    });
    expect(g.scanOutput('Falcons fly').flagged).toBe(true);
    expect(topicsDetector.options.safeParse({ topics: [{ name: 'x', keywords: [] }] }).success).toBe(false);
  });

  it('treats regex characters in keywords literally', () => {
    const d = make({ topics: [{ name: 'lang', keywords: ['c++', 'a.b'] }] });
    expect(d.detect('I like c++ and axb', ctx).detections.map((x) => x.meta?.keyword)).toEqual(['c++']);
  });
});

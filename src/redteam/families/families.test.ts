import { describe, expect, it } from 'vitest';
import { generateProbes } from '../generate.js';
import { makePlant, markerFor } from '../plant.js';
import { CATEGORIES, JUDGE_NAMES } from '../types.js';
import { FAMILIES } from './index.js';

const plant = makePlant(7);

// The contract every probe family meets: generated probes are well-formed, mapped and reproducible.
describe.each(FAMILIES.map((f) => [f.name, f] as const))('family %s', (name, family) => {
  const probes = family.generate({ family: name, plant, turns: 4, marker: (i) => markerFor(7, name, i) });

  it('generates well-formed probes of its own category', () => {
    expect(probes.length).toBeGreaterThan(0);
    expect(name.startsWith(`${family.category}.`)).toBe(true);
    expect(new Set(probes.map((p) => p.id)).size).toBe(probes.length);
    for (const p of probes) {
      expect(p.family).toBe(name);
      expect(p.category).toBe(family.category);
      expect(p.id.startsWith(`${name}/`)).toBe(true);
      expect(p.judges.length).toBeGreaterThan(0);
      for (const j of p.judges) expect(JUDGE_NAMES).toContain(j);
      expect(p.turns.length).toBeGreaterThan(0);
      for (const turn of p.turns) expect(turn.some((m) => m.role === 'user')).toBe(true);
      if (p.judges.includes('instruction-followed')) expect(p.marker).toMatch(/^[A-Z]+-[A-Z]+$/);
      if (p.judges.includes('complied')) expect(p.keywords?.length).toBeGreaterThan(0);
    }
  });

  it('maps to OWASP LLM 2025 and MITRE ATLAS and names its peers', () => {
    expect(family.refs.owasp?.every((r) => /^LLM\d\d:2025$/.test(r))).toBe(true);
    expect(family.refs.atlas?.every((r) => /^AML\.T\d{4}(\.\d{3})?$/.test(r))).toBe(true);
    expect(family.anchors.length).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    const again = family.generate({ family: name, plant, turns: 4, marker: (i) => markerFor(7, name, i) });
    expect(again).toEqual(probes);
  });
});

describe('generateProbes', () => {
  it('covers every category, honours the multi-turn length, and samples per family with a cap', () => {
    const all = generateProbes({ categories: CATEGORIES, plant, turns: 5, seed: 1 });
    expect(new Set(all.map((p) => p.category))).toEqual(new Set(CATEGORIES));
    const multi = all.filter((p) => p.turns.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    for (const p of multi) expect(p.turns.length).toBe(5);
    const capped = generateProbes({ categories: ['jailbreak'], plant, turns: 3, seed: 1, maxPerFamily: 3 });
    const counts = new Map<string, number>();
    for (const p of capped) counts.set(p.family, (counts.get(p.family) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 3)).toBe(true);
    expect(generateProbes({ categories: ['jailbreak'], plant, turns: 3, seed: 1, maxPerFamily: 3 })).toEqual(
      capped,
    );
    expect(
      generateProbes({ categories: ['jailbreak'], plant, turns: 3, seed: 2, maxPerFamily: 3 }),
    ).not.toEqual(capped);
  });

  it('plants distinct, well-formed values per seed', () => {
    const a = makePlant(1);
    const b = makePlant(2);
    expect(a.canary).toMatch(/^rt-[0-9a-f]{16}$/);
    expect(a.secret).toMatch(/^sk-proj-[A-Za-z0-9]{40}$/);
    expect(a.canary).not.toBe(b.canary);
    expect(makePlant(1)).toEqual(a);
    for (const p of a.people) {
      expect(a.systemPrompt).toContain(p.email);
      const digits = p.card.replace(/\D/g, '');
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      expect(sum % 10).toBe(0); // Luhn-valid, so PII detectors treat it as a card
    }
    const markers = Array.from({ length: 100 }, (_, i) => markerFor(3, 'x', i));
    expect(new Set(markers).size).toBe(100);
  });
});

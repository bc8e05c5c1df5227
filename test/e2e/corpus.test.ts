import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeast } from '../../src/core/index.js';
import { scanFile } from '../../src/artifacts/index.js';

/** Label of one corpus file, as written in each folder's labels.json. */
interface Label {
  malicious: boolean;
  category: string;
  format: string;
  technique: string;
  dangerous: string[];
}

const ROOT = new URL('../fixtures/corpus/', import.meta.url).pathname;
const SOURCES = ['picklescan', 'modelscan', 'modelaudit'] as const;

const cases = SOURCES.flatMap((src) => {
  const labels = JSON.parse(readFileSync(join(ROOT, src, 'labels.json'), 'utf8')) as Record<string, Label>;
  return Object.entries(labels).map(([rel, label]) => ({
    name: `${src}/${rel}`,
    path: join(ROOT, src, rel),
    label,
  }));
});

describe('model-corpus conformance (picklescan, modelscan and ModelAudit test data)', () => {
  it('has every labelled file', () => {
    expect(cases.length).toBe(200);
  });

  for (const c of cases) {
    it(`${c.label.malicious ? 'flags' : c.label.category === 'invalid' ? 'survives' : 'passes'} ${c.name}`, async () => {
      const r = await scanFile(c.path);
      const blocking = r.findings.filter((f) => atLeast(f.severity, 'high'));
      if (c.label.malicious) {
        expect(blocking.length, `no high finding; item ${JSON.stringify(r.item)}`).toBeGreaterThan(0);
      } else if (c.label.category === 'invalid') {
        // invalid files must only be survived: edge_cases/multiple_templates.json, for one, really
        // carries an SSTI payload in a second template field, and flagging it is right
        expect(['clean', 'error', 'skipped', 'findings']).toContain(r.item.status);
      } else {
        expect(blocking, JSON.stringify(blocking)).toEqual([]);
        expect(r.item.status, JSON.stringify(r.item)).not.toBe('error');
      }
    });
  }

  it('names the dangerous globals of malicious pickles', async () => {
    const picky = cases.filter(
      (c) => c.label.malicious && c.label.format === 'pickle' && c.label.dangerous.length > 0,
    );
    const missed: string[] = [];
    for (const c of picky) {
      const r = await scanFile(c.path);
      const text = r.findings.map((f) => `${f.title} ${f.detail}`).join('\n');
      // a global hidden behind a computed name is reported as computed, not by name
      const named = c.label.dangerous.filter((d) => !d.startsWith('unknown.') && !d.endsWith('.unknown'));
      for (const d of named) if (!text.includes(d)) missed.push(`${c.name}: ${d}`);
    }
    expect(missed).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../core/index.js';
import { MAX_EVIDENCE_BYTES, canonicalJson, normalizeEvidence, parseEvidenceText } from './evidence.js';
import { EVIDENCE_ADAPTERS } from './adapters.js';
import { ReportSchema } from './evidence.js';
import { finding, report } from './testing.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isWardenError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
};

const ATTACK = {
  attack: 'pgd',
  eps: 0.1,
  norm: 'inf',
  examples: 500,
  cleanAccuracy: 0.98,
  robustAccuracy: 0.74,
  robustAccuracyOfCorrect: 0.755,
  attackSuccessRate: 0.245,
  maxPerturbation: 0.1,
  meanPerturbation: 0.093,
  seconds: 3.2,
};

describe('evidence', () => {
  it('stores a dotted report kind with dashes, so that gate clauses can name it', () => {
    const n = normalizeEvidence(report('privacy.dp-training', { epsilon: 2.5 }, []));
    expect(n.kind).toBe('privacy-dp-training');
    expect(n.report.kind).toBe('privacy.dp-training');
    expect(n.facts.metrics.epsilon).toBe(2.5);
  });

  it('reads a Warden report: metrics, verdict, findings at or above each severity', () => {
    const r = report('scan', { files: 3 }, [finding('high'), finding('low'), finding('critical')]);
    const n = normalizeEvidence(r);
    expect(n).toMatchObject({ kind: 'scan', verdict: 'fail', adapter: 'report' });
    expect(n.facts.findings).toEqual({ total: 3, info: 3, low: 3, medium: 2, high: 2, critical: 1 });
    expect(n.facts.metrics).toEqual({ files: 3 });
    expect(n.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps the claims of a verify report as labels', () => {
    const r = {
      ...report('verify', {}),
      subject: { name: 'm', digest: `SHA256:${'AB'.repeat(32)}` },
      verification: {
        signaturePath: 'm/model.sig',
        verified: true,
        signer: 'public key sha256:cd',
        material: 'key',
      },
    };
    const n = normalizeEvidence(r);
    expect(n.subjectDigest).toBe(`sha256:${'ab'.repeat(32)}`);
    expect(n.facts.labels).toMatchObject({
      signer: 'public key sha256:cd',
      verified: 'true',
      material: 'key',
    });
  });

  it('every adapter turns its output into a valid report (contract)', () => {
    const samples: Record<string, Record<string, unknown>> = {
      attack: ATTACK,
      dp: { accountant: 'rdp', steps: 2250, epsilon: 7.329, bestOrder: 3.9 },
    };
    for (const a of EVIDENCE_ADAPTERS) {
      const sample = samples[a.name];
      expect(sample, `a sample for adapter ${a.name}`).toBeDefined();
      expect(a.matches(sample!)).toBe(true);
      expect(ReportSchema.safeParse(a.toReport(sample!)).success).toBe(true);
      const n = normalizeEvidence(sample);
      expect(n.adapter).toBe(a.name);
      expect(n.kind).toBe(a.name);
      // the same output gives the same digest, whenever it is read
      expect(normalizeEvidence(JSON.parse(JSON.stringify(sample)) as unknown).digest).toBe(n.digest);
    }
    expect(normalizeEvidence(ATTACK).facts).toMatchObject({
      metrics: { eps: 0.1, robustAccuracy: 0.74 },
      labels: { attack: 'pgd', norm: 'inf' },
    });
  });

  it('canonical JSON ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(normalizeEvidence({ ...ATTACK }).digest).toBe(
      normalizeEvidence(Object.fromEntries(Object.entries(ATTACK).reverse())).digest,
    );
  });

  it('refuses what is not a report, with typed errors and bounds', () => {
    expect(codeOf(() => parseEvidenceText('not json'))).toBe('REGISTRY_EVIDENCE_INVALID');
    expect(codeOf(() => parseEvidenceText('[1]'))).toBe('REGISTRY_EVIDENCE_INVALID');
    expect(codeOf(() => parseEvidenceText('['.repeat(100) + ']'.repeat(100)))).toBe(
      'REGISTRY_EVIDENCE_INVALID',
    );
    expect(codeOf(() => parseEvidenceText(' '.repeat(MAX_EVIDENCE_BYTES + 1)))).toBe(
      'REGISTRY_EVIDENCE_TOO_LARGE',
    );
    expect(codeOf(() => normalizeEvidence({ ...report('scan', {}), kind: 'Bad.Kind' }))).toBe(
      'REGISTRY_EVIDENCE_INVALID',
    );
    expect(codeOf(() => normalizeEvidence({ ...report('scan', {}), metrics: { x: 'high' } }))).toBe(
      'REGISTRY_EVIDENCE_INVALID',
    );
    expect(
      codeOf(() => normalizeEvidence({ ...report('scan', {}), tool: { name: 'other', version: '1' } })),
    ).toBe('REGISTRY_EVIDENCE_INVALID');
    expect(
      codeOf(() => normalizeEvidence({ ...report('scan', {}), subject: { name: 'x', digest: 'md5:00' } })),
    ).toBe('REGISTRY_EVIDENCE_INVALID');
  });

  it('fuzz: mutated report texts only ever raise typed evidence errors', () => {
    const texts = [JSON.stringify(report('scan', { files: 2 }, [finding('high')])), JSON.stringify(ATTACK)];
    const rnd = seededRandom(11);
    const alphabet = '{}[]":,0123456789.-eE abcdefxyz\\u';
    for (let i = 0; i < 3000; i++) {
      const chars = [...texts[i % texts.length]!];
      for (let j = 0, n = 1 + Math.floor(rnd() * 4); j < n; j++) {
        const at = Math.floor(rnd() * chars.length);
        const c = alphabet[Math.floor(rnd() * alphabet.length)]!;
        if (rnd() < 0.5) chars[at] = c;
        else chars.splice(at, rnd() < 0.5 ? 1 : 0, c);
      }
      const text = chars.join('');
      const code = codeOf(() => parseEvidenceText(text));
      expect(code === undefined || code === 'REGISTRY_EVIDENCE_INVALID', `${code} for ${text}`).toBe(true);
    }
  });
});

import { Guard } from '../../guard/index.js';
import type { Finding } from '../../core/index.js';
import { lineOf, type ProjectFile } from '../project.js';
import type { Check, PostureContext } from '../types.js';
import { fail, located, pass, unknown } from './common.js';

/** What the sampled training data holds, shared by the PII and DP checks. */
export interface PiiScan {
  files: number;
  lines: number;
  byType: Record<string, number>;
  hits: { file: string; line: number; type: string }[];
}

const DATA_FILE = /\.(csv|tsv|jsonl|ndjson)$|(^|\/)(data|datasets?|train(ing)?)\/.*\.json$/i;
const SAMPLE_BYTES = 256 * 1024;
const SAMPLE_LINES = 500;
const MAX_FILES = 40;

let piiGuard: Guard | undefined;
let secretGuard: Guard | undefined;

export function dataFiles(ctx: PostureContext): ProjectFile[] {
  return ctx.project.find(DATA_FILE).filter((f) => !/(^|\/)(reports?|evidence)\//i.test(f.rel));
}

/** Samples the data files (first lines of each) and runs the guard's PII detector over every line. */
export function piiScan(ctx: PostureContext): PiiScan {
  const memo = ctx.memo.get('pii') as PiiScan | undefined;
  if (memo) return memo;
  piiGuard ??= new Guard({ input: [{ detector: 'pii', action: 'warn' }] });
  const scan: PiiScan = { files: 0, lines: 0, byType: {}, hits: [] };
  for (const f of dataFiles(ctx).slice(0, MAX_FILES)) {
    const text = ctx.project.readText(f, SAMPLE_BYTES);
    if (text === undefined) continue;
    scan.files++;
    const lines = text.split('\n').slice(0, SAMPLE_LINES);
    if (f.size > SAMPLE_BYTES) lines.pop(); // the last line may be cut in half
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      scan.lines++;
      for (const d of piiGuard?.scanInput(line).findings ?? []) {
        scan.byType[d.type] = (scan.byType[d.type] ?? 0) + 1;
        if (scan.hits.length < 50) scan.hits.push({ file: f.rel, line: i + 1, type: d.type });
      }
    });
  }
  ctx.memo.set('pii', scan);
  return scan;
}

export const trainingDataPii: Check = {
  id: 'training-data-pii',
  title: 'PII scan of training data',
  severity: 'high',
  refs: { owasp: ['LLM02:2025', 'ML03:2023'], atlas: ['AML.T0057'], cwe: ['CWE-359'] },
  run: (ctx) => {
    const s = piiScan(ctx);
    if (s.files === 0)
      return Promise.resolve(
        unknown(['no CSV, TSV or JSONL data files in the project to sample'], {
          remedy: 'keep a sample of the training data in the project, or run this check where the data lives',
        }),
      );
    const sampled = `sampled ${s.lines} lines of ${s.files} data file(s) with the guard PII detector`;
    const types = Object.entries(s.byType).sort((a, b) => b[1] - a[1]);
    if (!types.length) return Promise.resolve(pass([sampled, 'no personal data found']));
    const findings: Finding[] = s.hits.slice(0, 20).map((h) =>
      located(ctx, 'training-data-pii', {
        id: h.type.toLowerCase(),
        severity: 'high',
        title: `${h.type} in training data`,
        detail: `guard pii detector found ${h.type} (value not shown)`,
        file: h.file,
        line: h.line,
        refs: trainingDataPii.refs,
      }),
    );
    return Promise.resolve(
      fail(
        [
          sampled,
          `personal data found: ${types.map(([t, n]) => `${t} x${n}`).join(', ')}`,
          ...s.hits.slice(0, 3).map((h) => `${h.file}:${h.line}: ${h.type}`),
        ],
        {
          findings,
          remedy:
            'remove or pseudonymize personal data before training, or evaluate differential privacy (see differential-privacy)',
        },
      ),
    );
  },
};

const TEXT_FILE =
  /\.(py|ipynb|js|mjs|cjs|ts|json|ya?ml|toml|cfg|ini|conf|env|properties|txt|md|sh|bash|zsh|ps1|sql|r|scala|java|kt|go|rs|rb|php|tf|tfvars|csv|tsv|jsonl|xml|pem|key|crt)$|(^|\/)(\.env[^/]*|Dockerfile[^/]*|Makefile|\.netrc|\.npmrc|\.pypirc|credentials)$/i;
const MAX_SECRET_FILE = 1 << 20;
const SECRET_BUDGET = 32 << 20;

export const secretsInRepo: Check = {
  id: 'secrets',
  title: 'No secrets in the repository',
  severity: 'critical',
  refs: { owasp: ['LLM02:2025'], cwe: ['CWE-798'] },
  run: (ctx) => {
    secretGuard ??= new Guard({
      input: [{ detector: 'secrets', action: 'warn' }],
      limits: { maxChars: 2_000_000 },
    });
    let budget = SECRET_BUDGET;
    let scanned = 0;
    let skipped = 0;
    const findings: Finding[] = [];
    const evidence: string[] = [];
    for (const f of ctx.project.find(TEXT_FILE)) {
      if (f.size > MAX_SECRET_FILE || budget - f.size < 0) {
        skipped++;
        continue;
      }
      const text = ctx.project.readText(f, MAX_SECRET_FILE);
      if (text === undefined) continue;
      budget -= f.size;
      scanned++;
      for (const d of secretGuard.scanInput(text).findings) {
        const line = lineOf(text, d.start);
        if (evidence.length < 5) evidence.push(`${f.rel}:${line}: ${d.type}`);
        if (findings.length < 50)
          findings.push(
            located(ctx, 'secrets', {
              id: d.type.replace(/^secret\./, ''),
              severity: 'critical',
              title: `${d.type} in the repository`,
              detail: `guard secrets detector (${d.detail ?? 'pattern'}); value not shown`,
              file: f.rel,
              line,
              refs: secretsInRepo.refs,
            }),
          );
      }
    }
    const scope = `scanned ${scanned} text file(s) with the guard secrets detector (provider patterns and entropy)${skipped ? `, ${skipped} skipped as too large` : ''}`;
    if (!findings.length) return Promise.resolve(pass([scope, 'no secrets found']));
    return Promise.resolve(
      fail([scope, `${findings.length} secret(s) found`, ...evidence], {
        findings,
        remedy:
          'revoke and rotate each key, remove it from the history, and load secrets from the environment or a vault',
      }),
    );
  },
};

export const DATA_CHECKS: Check[] = [trainingDataPii, secretsInRepo];

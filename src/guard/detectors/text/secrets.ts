import { z } from 'zod';
import type { Detection, DetectorSpec } from '../../types.js';
import { SECRET_RULES, type SecretRule } from './secret-rules.js';
import { charClasses, isPlaceholder, shannonEntropy } from './secret-checks.js';
import { ENTROPY_CHARS, TOKEN_CHARS, longRuns } from './fast-scan.js';

const Options = z.strictObject({
  /** Also report unlabelled high-entropy tokens (scored below the provider formats). */
  entropy: z.boolean().default(true),
  minEntropyLength: z.number().int().min(12).max(256).default(20),
  /** Also report `password=...`, `api_key: ...` style assignments. */
  assignments: z.boolean().default(true),
  /** Rule ids never reported (e.g. `jwt`, `url_credentials`). */
  ignoreRules: z.array(z.string()).default([]),
  /** Literal values never reported (published test keys and the like). */
  allow: z.array(z.string()).default([]),
});
type Options = z.infer<typeof Options>;

const MAX_PER_RULE = 200;

const ASSIGNMENT =
  /(?<![A-Za-z0-9])(passwd|password|pwd|pass|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|private[_-]?key|token)["']?\s{0,8}(?::=|=>|[:=])\s{0,8}(["'`]?)([^\s"'`,;]{6,200})\2/gi;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_CONTEXT = /(?:key|token|secret|passw|auth|bearer|credential|api)[^\n]{0,30}$/i;

function overlaps(ds: readonly Detection[], start: number, end: number): boolean {
  return ds.some((d) => start < d.end && d.start < end);
}

/** A PEM block runs to its END line; a truncated one is still a leak, so it runs to the end of its base64 body. */
function pemEnd(text: string, from: number): number {
  const end = text.indexOf('-----END ', from);
  if (end >= 0) {
    const close = text.indexOf('-----', end + 9);
    if (close >= 0 && close - end < 80) return close + 5;
  }
  const body = /^[A-Za-z0-9+/=\s:,-]*/.exec(text.slice(from, from + 100_000));
  return from + (body?.[0].length ?? 0);
}

function applyRule(rule: SecretRule, text: string, out: Detection[], allow: ReadonlySet<string>): void {
  // Shared regexes, reset per use: detection is synchronous and never re-entered.
  const re = rule.re;
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(text); m && n < MAX_PER_RULE; m = re.exec(text), n++) {
    const value = rule.group === undefined ? m[0] : (m[rule.group] ?? '');
    const start = m.index + (rule.group === undefined ? 0 : m[0].lastIndexOf(value));
    let end = start + value.length;
    if (rule.id === 'private_key') end = pemEnd(text, end);
    if (allow.has(value) || overlaps(out, start, end)) continue;
    if (rule.group !== undefined && isPlaceholder(value)) continue;
    const score = rule.score(m, text);
    if (score <= 0) continue;
    out.push({ type: `secret.${rule.id}`, start, end, score, detail: rule.detail, meta: { rule: rule.id } });
  }
}

function assignments(text: string, out: Detection[], allow: ReadonlySet<string>): void {
  const re = ASSIGNMENT;
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(text); m && n < MAX_PER_RULE; m = re.exec(text), n++) {
    const key = (m[1] ?? '').toLowerCase();
    const value = m[3] ?? '';
    const start = m.index + m[0].length - value.length - (m[2]?.length ?? 0);
    const end = start + value.length;
    if (allow.has(value) || isPlaceholder(value) || overlaps(out, start, end)) continue;
    // A prose "password: is required" is not a credential; real ones have digits, symbols or mixed case.
    if (charClasses(value) < 2 && !/[^A-Za-z0-9]/.test(value)) continue;
    const isPassword = key.startsWith('pass') || key === 'pwd';
    out.push({
      type: isPassword ? 'secret.password' : 'secret.generic',
      start,
      end,
      score: charClasses(value) === 3 || /[^A-Za-z0-9]/.test(value) ? 0.8 : 0.7,
      detail: `value assigned to "${key}"`,
      meta: { rule: 'assignment', key },
    });
  }
}

/** Unlabelled random-looking tokens: scored below threshold unless they look like keys in a key-ish context. */
function entropyTokens(
  text: string,
  tokenRuns: number[],
  out: Detection[],
  o: Options,
  allow: ReadonlySet<string>,
): void {
  // Entropy tokens are the token runs split at '.' and '=' (which only provider formats and padding use).
  const runs: number[] = [];
  for (let i = 0; i < tokenRuns.length && runs.length < 8 * MAX_PER_RULE; i += 2) {
    const sub = longRuns(text.slice(tokenRuns[i], tokenRuns[i + 1]), ENTROPY_CHARS, o.minEntropyLength);
    for (const x of sub) runs.push(x + (tokenRuns[i] ?? 0));
  }
  for (let i = 0; i < runs.length; i += 2) {
    const start = runs[i] ?? 0;
    let end = runs[i + 1] ?? 0;
    // A run glued to '=' that is not padding (key=value) is not one token; padding belongs to it.
    if (text.charAt(start - 1) === '=') continue;
    if (text.charAt(end) === '=') end += text.charAt(end + 1) === '=' ? 2 : 1;
    const s = text.slice(start, end);
    if (allow.has(s) || overlaps(out, start, end)) continue;
    if (UUID.test(s) || /^[/_-]|[/_-]$/.test(s)) continue;
    const hex = /^[0-9a-fA-F]+$/.test(s);
    const h = shannonEntropy(s);
    const classes = charClasses(s);
    if (hex ? h < 3 || s.length < 32 : classes < 3 || h < Math.min(4.5, Math.log2(s.length) - 0.7)) continue;
    const before = text.slice(Math.max(0, start - 40), start);
    const inUrl = /:\/\/\S*$/.test(before);
    let score = hex ? 0.35 : 0.55;
    if (KEY_CONTEXT.test(before) && !inUrl) score = 0.75;
    else if (inUrl || s.length > 256) score = 0.35;
    out.push({
      type: 'secret.high_entropy',
      start,
      end: start + s.length,
      score,
      detail: `${s.length}-character ${hex ? 'hex' : 'base64-like'} token, ${h.toFixed(1)} bits/char`,
      meta: { rule: 'entropy', entropy: Math.round(h * 100) / 100 },
    });
  }
}

/** Lowercased long token runs of the text, joined: what provider keywords are looked up in. */
function tokenText(text: string, runs: number[]): string {
  let out = '';
  for (let i = 0; i < runs.length; i += 2) out += `${text.slice(runs[i], runs[i + 1]).toLowerCase()} `;
  return out;
}

const ASSIGNMENT_HINTS = ['pass', 'pwd', 'secret', 'key', 'token'];

function scan(text: string, o: Options, rules: readonly SecretRule[]): Detection[] {
  const allow = new Set(o.allow);
  const runs = longRuns(text, TOKEN_CHARS, Math.min(16, o.minEntropyLength));
  const tokens = tokenText(text, runs);
  const out: Detection[] = [];
  for (const rule of rules)
    if (rule.keywords.some((k) => tokens.includes(k)) || rule.textKeywords?.some((k) => text.includes(k)))
      applyRule(rule, text, out, allow);
  if (o.assignments && !o.ignoreRules.includes('assignment')) {
    const lower = text.toLowerCase();
    if (ASSIGNMENT_HINTS.some((k) => lower.includes(k))) assignments(text, out, allow);
  }
  if (o.entropy && !o.ignoreRules.includes('entropy')) entropyTokens(text, runs, out, o, allow);
  return out.sort((a, b) => a.start - b.start);
}

/** Credentials: provider key formats (with check digits where they exist), assignments and random tokens. */
export const secretsDetector: DetectorSpec<Options> = {
  name: 'secrets',
  description: 'API keys, tokens, private keys, passwords and other credentials',
  directions: ['input', 'output'],
  defaultAction: 'redact',
  defaultThreshold: 0.5,
  severity: 'high',
  options: Options,
  create: (o) => {
    const rules = SECRET_RULES.filter((r) => !o.ignoreRules.includes(r.id));
    return {
      name: 'secrets',
      detect(text) {
        const detections = scan(text, o, rules);
        let score = 0;
        for (const d of detections) score = Math.max(score, d.score);
        return { score, detections };
      },
    };
  },
};

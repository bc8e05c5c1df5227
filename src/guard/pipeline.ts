import { performance } from 'node:perf_hooks';
import { compilePolicy, type CompiledPolicy, type CompiledRule } from './policy.js';
import { guardError } from './errors.js';
import { resolveOverlaps } from './spans.js';
import { Vault } from './vault.js';
import type { DetectContext, Detection, Direction, GuardFinding, GuardResult } from './types.js';

export interface GuardScanOptions {
  /** For output scans: the prompt that produced the completion. */
  prompt?: string;
  /** Pseudonymization vault of the conversation; a fresh one is used when absent. */
  vault?: Vault;
  /** Canaries for this call, on top of the policy's. */
  canaries?: readonly string[];
}

/** Runs a compiled policy's detectors over texts and applies their actions. Stateless between calls. */
export class Guard {
  readonly policy: CompiledPolicy;

  constructor(policy?: unknown) {
    this.policy = isCompiled(policy) ? policy : compilePolicy(policy);
  }

  scanInput(text: string, opts: GuardScanOptions = {}): GuardResult {
    return this.scan(text, 'input', opts);
  }

  scanOutput(text: string, opts: GuardScanOptions = {}): GuardResult {
    return this.scan(text, 'output', opts);
  }

  scan(text: string, direction: Direction, opts: GuardScanOptions = {}): GuardResult {
    if (typeof text !== 'string') throw guardError('GUARD_INPUT_INVALID', 'text must be a string');
    const { maxChars } = this.policy.limits;
    if (text.length > maxChars)
      throw guardError(
        'GUARD_INPUT_TOO_LARGE',
        `text has ${text.length} characters; the limit is ${maxChars}`,
      );
    const rules = direction === 'input' ? this.policy.input : this.policy.output;
    const canaries = opts.canaries ? [...this.policy.canaries, ...opts.canaries] : this.policy.canaries;
    const ctx = this.context(direction, 0, canaries, opts.prompt);
    const findings: GuardFinding[] = [];
    const timings: Record<string, number> = {};
    let score = 0;
    for (const rule of rules) {
      const t0 = performance.now();
      const res = rule.detector.detect(text, ctx);
      timings[rule.spec.name] = Math.round((performance.now() - t0) * 1000);
      if (rule.action === 'block') score = Math.max(score, res.score);
      for (const d of res.detections) {
        if (d.score < rule.threshold) continue;
        findings.push({
          ...d,
          detector: rule.spec.name,
          action: rule.action,
          severity: rule.spec.severity,
          direction,
        });
      }
    }
    findings.sort((a, b) => a.start - b.start || b.end - a.end);
    const flagged = findings.some((f) => f.action === 'block');
    const sanitized = this.sanitize(text, findings, opts.vault ?? new Vault());
    return { flagged, score: round(score), findings, sanitized, timings };
  }

  private context(
    direction: Direction,
    depth: number,
    canaries: readonly string[],
    prompt?: string,
  ): DetectContext {
    const ctx: DetectContext = { direction, depth, canaries };
    if (prompt !== undefined) ctx.prompt = prompt;
    if (depth < this.policy.limits.maxDecodeDepth) {
      const semantic = this.policy.input.filter((r) => r.spec.semantic);
      if (semantic.length > 0) ctx.rescan = (decoded) => this.rescan(decoded, semantic, depth + 1, canaries);
    }
    return ctx;
  }

  private rescan(
    text: string,
    rules: CompiledRule[],
    depth: number,
    canaries: readonly string[],
  ): Detection[] {
    const ctx = this.context('input', depth, canaries);
    const out: Detection[] = [];
    for (const rule of rules)
      for (const d of rule.detector.detect(text, ctx).detections) if (d.score >= rule.threshold) out.push(d);
    return out;
  }

  private sanitize(text: string, findings: GuardFinding[], vault: Vault): string {
    const replace = resolveOverlaps(
      findings.filter((f) => f.action === 'redact' || f.action === 'pseudonymize'),
    );
    if (replace.length === 0) return text;
    let out = '';
    let pos = 0;
    for (const f of replace) {
      const start = Math.max(f.start, pos);
      const end = Math.min(f.end, text.length);
      if (end <= start) continue;
      out += text.slice(pos, start);
      out +=
        f.action === 'pseudonymize'
          ? vault.placeholder(f.type, text.slice(start, end))
          : (f.replacement ?? `[REDACTED_${f.type.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}]`);
      pos = end;
    }
    return out + text.slice(pos);
  }
}

function isCompiled(p: unknown): p is CompiledPolicy {
  return typeof p === 'object' && p !== null && (p as { compiled?: unknown }).compiled === true;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

import { isWardenError } from '../../core/index.js';
import { resolveOverlaps } from '../spans.js';
import type { Vault } from '../vault.js';
import type { GuardFinding, GuardResult } from '../types.js';

/** How a completion is checked: the guard's output scan, bound to the request's vault and prompt. */
export type OutputScan = (text: string) => GuardResult;

/** The refusal text that replaces (or, mid-stream, ends) a blocked completion. */
export function refusal(findings: readonly Pick<GuardFinding, 'type' | 'action'>[]): string {
  const types = [...new Set(findings.filter((f) => f.action === 'block').map((f) => f.type))];
  return `[blocked by Warden guard: ${types.join(', ')}]`;
}

/** Scans a completion; one over the guard's size limit is refused too (fail closed). */
export function scanOrRefuse(scan: OutputScan, text: string): GuardResult | { refused: string } {
  try {
    const r = scan(text);
    return r.flagged ? { refused: refusal(r.findings) } : r;
  } catch (e) {
    if (isWardenError(e) && e.kind === 'limit')
      return { refused: refusal([{ type: 'length', action: 'block' }]) };
    throw e;
  }
}

/** Tuning of the incremental output check. */
export interface ChoiceGuardOptions {
  scan: OutputScan;
  vault: Vault;
  /** Check again once this many new characters arrived (default 200). */
  stepChars?: number;
  /** Characters kept back after a check, so a span cut by the chunk boundary is seen whole (default 64). */
  holdChars?: number;
  /** Already-released text re-scanned as left context of each check (default 2048). */
  contextChars?: number;
}

/**
 * Guards one streamed choice. Text is released only after a scan has seen it (plus a held-back tail), with
 * the scan's redactions applied and vault pseudonyms restored; checks scan a window of the new text with
 * some left context, and the end of the stream scans the whole completion once.
 */
export class ChoiceGuard {
  private acc = '';
  private released = 0;
  private checked = 0;
  private finished = false;
  private readonly restorer: { push(s: string): string; flush(): string };
  private readonly step: number;
  private readonly hold: number;
  private readonly context: number;
  /** The refusal, once the completion is blocked. */
  blocked: string | undefined;

  constructor(private readonly opts: ChoiceGuardOptions) {
    this.restorer = opts.vault.restorer();
    this.step = opts.stepChars ?? 200;
    this.hold = opts.holdChars ?? 64;
    this.context = opts.contextChars ?? 2048;
  }

  /** Whether any text went out already (the refusal then starts on a new line). */
  get started(): boolean {
    return this.released > 0;
  }

  /** Adds streamed text; returns what may be released now (often ''). */
  push(text: string): string {
    if (this.blocked !== undefined || this.finished) return '';
    this.acc += text;
    return this.acc.length - this.checked >= this.step ? this.check(false) : '';
  }

  /** Ends the choice: scans the whole completion and returns the rest of it ('' when blocked). */
  finish(): string {
    if (this.blocked !== undefined || this.finished) return '';
    this.finished = true;
    const out = this.check(true);
    return this.blocked === undefined ? out + this.restorer.flush() : '';
  }

  private check(final: boolean): string {
    let from = final ? 0 : Math.max(0, this.released - this.context);
    if (isLowSurrogate(this.acc.charCodeAt(from))) from--;
    const r = scanOrRefuse(this.opts.scan, from === 0 ? this.acc : this.acc.slice(from));
    this.checked = this.acc.length;
    if ('refused' in r) {
      this.blocked = r.refused;
      return '';
    }
    const spans = resolveOverlaps(
      r.findings
        .filter((f) => f.action === 'redact' || f.action === 'pseudonymize')
        .map((f) => ({ ...f, start: f.start + from, end: f.end + from })),
    );
    let cut = final ? this.acc.length : this.acc.length - this.hold;
    if (!final) {
      for (const s of spans) if (s.start < cut && s.end > cut) cut = s.start;
      if (isLowSurrogate(this.acc.charCodeAt(cut))) cut--;
    }
    if (cut <= this.released) return '';
    const segment = this.sanitize(this.released, cut, spans);
    this.released = cut;
    return this.restorer.push(segment);
  }

  // Applies the replacement spans that fall in [from, to), clipped to it (a span cut earlier stays covered).
  private sanitize(from: number, to: number, spans: GuardFinding[]): string {
    let out = '';
    let pos = from;
    for (const s of spans) {
      const start = Math.max(s.start, pos);
      const end = Math.min(s.end, to);
      if (end <= start) continue;
      out += this.acc.slice(pos, start);
      out +=
        s.action === 'pseudonymize'
          ? this.opts.vault.placeholder(s.type, this.acc.slice(s.start, s.end))
          : (s.replacement ?? `[REDACTED_${s.type.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}]`);
      pos = end;
    }
    return out + this.acc.slice(pos, to);
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

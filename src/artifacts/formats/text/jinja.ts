import { REFS, atLeast, type Severity } from '../../../core/index.js';
import type { ScanContext } from '../../scan/types.js';
import { extractCode, normalizeTemplate } from './jinja-normalize.js';
import { CHAIN_RULE, JINJA_RULES, type JinjaRule } from './jinja-rules.js';
import { clip } from './shared.js';

/** A rule that matched a template, with the normalised text around the match. */
export interface JinjaMatch {
  rule: JinjaRule;
  excerpt: string;
}

/** Result of analysing one template: rule matches and whether they form a gadget→sink chain. */
export interface JinjaAnalysis {
  matches: JinjaMatch[];
  chain: boolean;
  /** Highest severity among the findings this analysis produces (null when clean). */
  worst: Severity | null;
}

function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 40);
  return clip(text.slice(start, index + length + 60), 140);
}

/** Applies the SSTI rules to a template's normalised code. Pure: no I/O, no findings. */
export function analyzeTemplate(template: string): JinjaAnalysis {
  const text = normalizeTemplate(template);
  const matches: JinjaMatch[] = [];
  if (text.trim() === '') return { matches, chain: false, worst: null };
  // obfuscation rules also look at the code before de-obfuscation (chr(), \x5f escapes)
  let raw: string | null = null;
  for (const rule of JINJA_RULES) {
    if (rule.requires !== undefined && !text.includes(rule.requires)) continue;
    let source = text;
    let m = rule.pattern.exec(text);
    if (!m && rule.kind === 'obfuscation') {
      raw ??= extractCode(template).toLowerCase();
      source = raw;
      m = rule.pattern.exec(raw);
    }
    if (m) matches.push({ rule, excerpt: excerpt(source, m.index, m[0].length) });
  }
  // the loop rule subsumes the plain __subclasses__ rule; a named gadget subsumes the generic dunder one
  const hasLoop = matches.some((m) => m.rule.id === 'jinja.subclass-loop');
  const strongGadget = matches.some((m) => m.rule.kind === 'gadget' && atLeast(m.rule.severity, 'high'));
  const kept = matches.filter(
    (m) => !(hasLoop && m.rule.id === 'jinja.subclasses') && !(strongGadget && m.rule.id === 'jinja.dunder'),
  );
  const sink = kept.some((m) => m.rule.kind === 'sink');
  const chain = strongGadget && sink;
  let worst: Severity | null = chain ? 'critical' : null;
  for (const m of kept) if (worst === null || atLeast(m.rule.severity, worst)) worst = m.rule.severity;
  return { matches: kept, chain, worst };
}

/** Where a template came from, for findings: a JSON key path, a GGUF key, a file. */
export interface TemplateOrigin {
  where: string;
  offset?: number;
  detector?: string;
}

/** Analyses a template and emits one finding per matched rule (plus the chain finding). */
export function scanTemplate(
  ctx: Pick<ScanContext, 'emit'>,
  template: string,
  origin: TemplateOrigin,
): JinjaAnalysis {
  const analysis = analyzeTemplate(template);
  const location = origin.offset === undefined ? {} : { location: { offset: origin.offset } };
  const detector = origin.detector ?? 'jinja';
  if (analysis.chain) {
    const first = analysis.matches[0];
    ctx.emit({
      id: CHAIN_RULE.id,
      detector,
      severity: CHAIN_RULE.severity,
      title: CHAIN_RULE.title,
      detail: `${origin.where}: ${CHAIN_RULE.explanation} Matched: ${analysis.matches
        .map((m) => m.rule.id)
        .join(', ')}.${first ? ` Near: ${first.excerpt}` : ''}`,
      refs: REFS.templateInjection,
      ...location,
    });
  }
  for (const m of analysis.matches) {
    ctx.emit({
      id: m.rule.id,
      detector,
      severity: m.rule.severity,
      title: m.rule.title,
      detail: `${origin.where}: ${m.rule.explanation} Near: ${m.excerpt}`,
      refs: REFS.templateInjection,
      ...location,
    });
  }
  return analysis;
}

/** True when a string contains Jinja delimiters. */
export function hasJinjaSyntax(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

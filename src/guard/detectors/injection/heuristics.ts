import { RULES, type AttackKind, type Rule } from './rules.js';

/** One rule match in a text (UTF-16 offsets, end-exclusive). */
export interface RuleHit {
  rule: Rule;
  start: number;
  end: number;
}

// A repeated attack phrase adds nothing after a few copies, and capping keeps hostile inputs cheap.
const MAX_HITS_PER_RULE = 4;

/** Runs every rule over the text. Regexes are shared and stateful (`g`), so lastIndex is reset each time. */
export function matchRules(text: string, rules: readonly Rule[] = RULES): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const rule of rules) {
    const re = rule.re;
    re.lastIndex = 0;
    for (let n = 0; n < MAX_HITS_PER_RULE; n++) {
      const m = re.exec(text);
      if (!m) break;
      hits.push({ rule, start: m.index, end: m.index + m[0].length });
      // A zero-length match would loop forever; step past it.
      if (m[0].length === 0) re.lastIndex++;
    }
    re.lastIndex = 0;
  }
  return hits;
}

/** Noisy-OR of the weights of distinct rules of one kind that fired: the heuristics-only score. */
export function priorScore(hits: readonly RuleHit[], kind: AttackKind): number {
  let miss = 1;
  const seen = new Set<string>();
  for (const h of hits) {
    if (h.rule.kind !== kind || seen.has(h.rule.id)) continue;
    seen.add(h.rule.id);
    miss *= 1 - h.rule.weight;
  }
  return 1 - miss;
}

/** Escapes a user phrase so it matches literally; whitespace inside it matches any whitespace run. */
export function phraseRule(id: string, kind: AttackKind, phrase: string): Rule {
  const src = phrase
    .trim()
    .replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return {
    id,
    kind,
    family: kind === 'injection' ? 'override' : 'jailbreak_mode',
    weight: 1,
    re: new RegExp(src, 'gi'),
  };
}

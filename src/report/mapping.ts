import type { Refs } from '../core/index.js';
import { nistFor } from './standards.js';

/** Where one finding, metric or control lands in the taxonomies: OWASP ids, ATLAS ids, NIST AI RMF ids. */
export interface Mapped {
  owasp: string[];
  atlas: string[];
  /** NIST AI RMF subcategories (MEASURE 2.7) and, when nothing finer applies, functions (MEASURE). */
  nist: string[];
}

/** What an evidence kind is evidence about: used for its metrics and for findings that carry no refs. */
export interface KindMapping {
  area: string;
  refs: Refs;
  /** NIST subcategories beyond what the OWASP and ATLAS refs imply (fairness has no attack category). */
  nist: string[];
}

const SUPPLY: Refs = { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'] };
const INTEGRITY: Refs = {
  owasp: ['ML06:2023', 'ML10:2023', 'LLM03:2025'],
  atlas: ['AML.T0010', 'AML.T0058'],
};
const EVASION: Refs = { owasp: ['ML01:2023'], atlas: ['AML.T0015', 'AML.T0043'] };
const DP: Refs = { owasp: ['ML03:2023', 'ML04:2023'], atlas: ['AML.T0024.000', 'AML.T0024.001'] };
const MEMBERSHIP: Refs = { owasp: ['ML04:2023'], atlas: ['AML.T0024.000'] };
const PII: Refs = { owasp: ['LLM02:2025'] };
const POISONING: Refs = {
  owasp: ['ML02:2023', 'ML10:2023', 'LLM04:2025'],
  atlas: ['AML.T0020', 'AML.T0018'],
};
const PROMPT: Refs = { owasp: ['LLM01:2025'], atlas: ['AML.T0051', 'AML.T0054'] };

const k = (area: string, refs: Refs, nist: string[] = []): KindMapping => ({ area, refs, nist });

// Keys are evidence kinds as the registry stores them (dotted kinds such as privacy.dp-training get dashes).
const BY_KIND: Record<string, KindMapping> = {
  scan: k('supply chain', SUPPLY),
  verify: k('supply chain', INTEGRITY),
  robustness: k('robustness', EVASION),
  attack: k('robustness', EVASION),
  certify: k('robustness', EVASION),
  dp: k('privacy', DP),
  'privacy-dp-training': k('privacy', DP),
  'privacy-membership-audit': k('privacy', MEMBERSHIP),
  membership: k('privacy', MEMBERSHIP),
  'privacy-data-scan': k('privacy', PII, ['MEASURE 2.10']),
  'privacy-data-anonymity': k('privacy', PII, ['MEASURE 2.10']),
  pii: k('privacy', PII, ['MEASURE 2.10']),
  fairness: k('fairness', {}, ['MEASURE 2.11']),
  drift: k('monitoring', { owasp: ['ML08:2023'], atlas: ['AML.T0043'] }),
  poisoning: k('data integrity', POISONING),
  'poisoning-eval': k('data integrity', POISONING),
  federated: k('data integrity', { owasp: ['ML10:2023'], atlas: ['AML.T0020'] }),
  redteam: k('LLM', PROMPT),
  guard: k('LLM', { owasp: ['LLM01:2025', 'LLM02:2025', 'LLM07:2025'], atlas: ['AML.T0051'] }),
  posture: k('governance', SUPPLY, ['GOVERN 1.5']),
};

/** The mapping of an evidence kind; an unknown kind is still MEASURE evidence, with no attack category. */
export function kindMapping(kind: string): KindMapping {
  return BY_KIND[kind] ?? k('other', {}, ['MEASURE']);
}

/** Evidence kinds with a mapping, for documentation and tests. */
export const MAPPED_KINDS: readonly string[] = Object.keys(BY_KIND);

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/** Maps refs (plus extra NIST ids); an item with no NIST subcategory still counts under MEASURE. */
export function mapRefs(refs: Refs, extraNist: readonly string[] = []): Mapped {
  const nist = uniq([...nistFor(refs), ...extraNist]);
  return {
    owasp: uniq(refs.owasp ?? []),
    atlas: uniq(refs.atlas ?? []),
    nist: nist.length ? nist : ['MEASURE'],
  };
}

/** A finding's refs when it has OWASP or ATLAS ones, else the refs of the evidence kind it came from. */
export function findingRefs(refs: Refs, kind: string): Refs {
  if ((refs.owasp?.length ?? 0) + (refs.atlas?.length ?? 0) > 0) return refs;
  const m = kindMapping(kind).refs;
  return { ...m, ...(refs.cwe?.length ? { cwe: refs.cwe } : {}) };
}

/** The NIST AI RMF function (GOVERN, MAP, MEASURE, MANAGE) of a function or subcategory id. */
export const nistFunction = (id: string): string => id.split(' ')[0] ?? id;

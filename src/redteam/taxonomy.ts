import type { Refs } from '../core/index.js';

/**
 * Where each kind of attack sits in the OWASP Top 10 for LLM Applications (2025) and MITRE ATLAS. One table,
 * so every report maps the same way.
 */
export const REDTEAM_REFS = {
  /** Instructions in the user turn that override the operator's (ATLAS: LLM Prompt Injection, Direct). */
  directInjection: { owasp: ['LLM01:2025'], atlas: ['AML.T0051.000'] },
  /** Instructions hidden in content the model reads: documents, tool results (LLM Prompt Injection, Indirect). */
  indirectInjection: { owasp: ['LLM01:2025'], atlas: ['AML.T0051.001'] },
  /** Framing that talks the model out of its safety behaviour (LLM Jailbreak). */
  jailbreak: { owasp: ['LLM01:2025'], atlas: ['AML.T0054'] },
  /** Encoded or disguised instructions that slip past filters (prompt injection through obfuscation). */
  obfuscation: { owasp: ['LLM01:2025'], atlas: ['AML.T0051.000', 'AML.T0054'] },
  /** The system prompt extracted (System Prompt Leakage; ATLAS: LLM Meta Prompt Extraction). */
  promptLeak: { owasp: ['LLM07:2025'], atlas: ['AML.T0056'] },
  /** A credential in the prompt disclosed (Sensitive Information Disclosure; ATLAS: LLM Data Leakage). */
  secretLeak: { owasp: ['LLM02:2025', 'LLM07:2025'], atlas: ['AML.T0057'], cwe: ['CWE-200'] },
  /** Personal data in the context disclosed (Sensitive Information Disclosure; LLM Data Leakage). */
  piiLeak: { owasp: ['LLM02:2025'], atlas: ['AML.T0057'], cwe: ['CWE-359'] },
} satisfies Record<string, Refs>;

/** The union of several refs, each list deduplicated and sorted. */
export function mergeRefs(refs: readonly Refs[]): Refs {
  const out: Refs = {};
  for (const key of ['owasp', 'atlas', 'cwe'] as const) {
    const all = [...new Set(refs.flatMap((r) => r[key] ?? []))].sort();
    if (all.length) out[key] = all;
  }
  return out;
}

import type { Refs } from './finding.js';

/** Taxonomy references used across domains, kept in one place so reports map consistently. */
export const REFS = {
  /** Malicious or unsafe model artifacts: supply chain. */
  supplyChain: { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-502'] },
  /** Artifact that could not be inspected (unknown archive, encrypted member). */
  uninspectable: { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-693'] },
  /** Server-side template injection in chat templates. */
  templateInjection: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'], cwe: ['CWE-1336'] },
  /** Path traversal in archives or external data references. */
  pathTraversal: { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-22'] },
  /** Malformed structure that a loader may mis-parse. */
  malformed: { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-20'] },
  /** Resource exhaustion (bombs, huge declared sizes). */
  resource: { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-400'] },
  /** Training data membership can be inferred from a model's outputs. */
  membershipInference: { owasp: ['ML04:2023'], atlas: ['AML.T0024.000'], cwe: ['CWE-359'] },
  /** Personal data in a data set or its release. */
  personalData: { owasp: ['LLM02:2025'], cwe: ['CWE-359'] },
} satisfies Record<string, Refs>;

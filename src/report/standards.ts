import type { Finding, Refs } from '../core/index.js';

/** One entry of a public taxonomy: its identifier and title, as the standard prints them. */
export interface StandardEntry {
  id: string;
  title: string;
}

/** OWASP Machine Learning Security Top 10 (2023). */
export const OWASP_ML_2023: readonly StandardEntry[] = [
  { id: 'ML01:2023', title: 'Input Manipulation Attack' },
  { id: 'ML02:2023', title: 'Data Poisoning Attack' },
  { id: 'ML03:2023', title: 'Model Inversion Attack' },
  { id: 'ML04:2023', title: 'Membership Inference Attack' },
  { id: 'ML05:2023', title: 'Model Theft' },
  { id: 'ML06:2023', title: 'AI Supply Chain Attacks' },
  { id: 'ML07:2023', title: 'Transfer Learning Attack' },
  { id: 'ML08:2023', title: 'Model Skewing' },
  { id: 'ML09:2023', title: 'Output Integrity Attack' },
  { id: 'ML10:2023', title: 'Model Poisoning' },
];

/** OWASP Top 10 for Large Language Model Applications (2025). */
export const OWASP_LLM_2025: readonly StandardEntry[] = [
  { id: 'LLM01:2025', title: 'Prompt Injection' },
  { id: 'LLM02:2025', title: 'Sensitive Information Disclosure' },
  { id: 'LLM03:2025', title: 'Supply Chain' },
  { id: 'LLM04:2025', title: 'Data and Model Poisoning' },
  { id: 'LLM05:2025', title: 'Improper Output Handling' },
  { id: 'LLM06:2025', title: 'Excessive Agency' },
  { id: 'LLM07:2025', title: 'System Prompt Leakage' },
  { id: 'LLM08:2025', title: 'Vector and Embedding Weaknesses' },
  { id: 'LLM09:2025', title: 'Misinformation' },
  { id: 'LLM10:2025', title: 'Unbounded Consumption' },
];

/** The MITRE ATLAS techniques Warden's checks produce evidence about. */
export const ATLAS_TECHNIQUES: readonly StandardEntry[] = [
  { id: 'AML.T0010', title: 'ML Supply Chain Compromise' },
  { id: 'AML.T0011', title: 'User Execution' },
  { id: 'AML.T0015', title: 'Evade ML Model' },
  { id: 'AML.T0018', title: 'Backdoor ML Model' },
  { id: 'AML.T0019', title: 'Publish Poisoned Datasets' },
  { id: 'AML.T0020', title: 'Poison Training Data' },
  { id: 'AML.T0024', title: 'Exfiltration via ML Inference API' },
  { id: 'AML.T0024.000', title: 'Infer Training Data Membership' },
  { id: 'AML.T0024.001', title: 'Invert ML Model' },
  { id: 'AML.T0024.002', title: 'Extract ML Model' },
  { id: 'AML.T0029', title: 'Denial of ML Service' },
  { id: 'AML.T0031', title: 'Erode ML Model Integrity' },
  { id: 'AML.T0034', title: 'Cost Harvesting' },
  { id: 'AML.T0040', title: 'ML Model Inference API Access' },
  { id: 'AML.T0043', title: 'Craft Adversarial Data' },
  { id: 'AML.T0051', title: 'LLM Prompt Injection' },
  { id: 'AML.T0051.000', title: 'LLM Prompt Injection: Direct' },
  { id: 'AML.T0051.001', title: 'LLM Prompt Injection: Indirect' },
  { id: 'AML.T0054', title: 'LLM Jailbreak' },
  { id: 'AML.T0055', title: 'Unsecured Credentials' },
  { id: 'AML.T0056', title: 'Extract LLM System Prompt' },
  { id: 'AML.T0057', title: 'LLM Data Leakage' },
  { id: 'AML.T0058', title: 'Publish Poisoned Models' },
];

/** NIST AI RMF 1.0: the four functions and the subcategories Warden evidence speaks to. */
export const NIST_AI_RMF: readonly StandardEntry[] = [
  { id: 'GOVERN', title: 'A culture of risk management is cultivated and present' },
  { id: 'GOVERN 1.5', title: 'Ongoing monitoring and periodic review of the risk management process' },
  {
    id: 'GOVERN 2.1',
    title: 'Roles, responsibilities and lines of communication for AI risks are documented',
  },
  { id: 'GOVERN 6.1', title: 'Policies address AI risks of third-party entities (supply chain)' },
  { id: 'MAP', title: 'Context is recognized and risks related to context are identified' },
  { id: 'MAP 4.1', title: 'Approaches for mapping AI technology and legal risks of components' },
  { id: 'MEASURE', title: 'Identified risks are assessed, analyzed, or tracked' },
  { id: 'MEASURE 2.4', title: 'Functionality and behavior of the AI system are monitored in production' },
  { id: 'MEASURE 2.7', title: 'AI system security and resilience are evaluated and documented' },
  { id: 'MEASURE 2.10', title: 'Privacy risk of the AI system is examined and documented' },
  { id: 'MEASURE 2.11', title: 'Fairness and bias are evaluated and results documented' },
  { id: 'MANAGE', title: 'Risks are prioritized and acted upon based on projected impact' },
  { id: 'MANAGE 1.1', title: 'A determination is made whether development or deployment should proceed' },
  { id: 'MANAGE 2.4', title: 'Mechanisms to supersede, disengage or deactivate AI systems' },
  { id: 'MANAGE 4.1', title: 'Post-deployment monitoring plans are implemented' },
];

// Which NIST AI RMF subcategories a finding in an OWASP or ATLAS category is evidence for. The RMF does
// not name attacks, so the mapping goes through the trustworthiness characteristic each attack erodes.
const NIST_BY_REF: Record<string, string[]> = {
  'ML01:2023': ['MEASURE 2.7'],
  'ML02:2023': ['MEASURE 2.7', 'MAP 4.1'],
  'ML03:2023': ['MEASURE 2.10'],
  'ML04:2023': ['MEASURE 2.10'],
  'ML05:2023': ['MEASURE 2.7', 'MANAGE 4.1'],
  'ML06:2023': ['GOVERN 6.1', 'MAP 4.1'],
  'ML07:2023': ['GOVERN 6.1'],
  'ML08:2023': ['MEASURE 2.4', 'MANAGE 4.1'],
  'ML09:2023': ['MEASURE 2.7'],
  'ML10:2023': ['MEASURE 2.7', 'GOVERN 6.1'],
  'LLM01:2025': ['MEASURE 2.7'],
  'LLM02:2025': ['MEASURE 2.10'],
  'LLM03:2025': ['GOVERN 6.1', 'MAP 4.1'],
  'LLM04:2025': ['MEASURE 2.7', 'GOVERN 6.1'],
  'LLM05:2025': ['MEASURE 2.7'],
  'LLM06:2025': ['MANAGE 2.4'],
  'LLM07:2025': ['MEASURE 2.7', 'MEASURE 2.10'],
  'LLM10:2025': ['MEASURE 2.4', 'MANAGE 4.1'],
  'AML.T0024.000': ['MEASURE 2.10'],
  'AML.T0024.002': ['MEASURE 2.7', 'MANAGE 4.1'],
  'AML.T0057': ['MEASURE 2.10'],
};

const TITLES = new Map<string, string>(
  [...OWASP_ML_2023, ...OWASP_LLM_2025, ...ATLAS_TECHNIQUES, ...NIST_AI_RMF].map((e) => [e.id, e.title]),
);

/** The title of a taxonomy id, or undefined for an id outside the catalogs above. */
export function standardTitle(id: string): string | undefined {
  return TITLES.get(id);
}

/** The NIST AI RMF subcategories a set of references is evidence for, in catalog order. */
export function nistFor(refs: Refs): string[] {
  const out = new Set<string>();
  for (const id of [...(refs.owasp ?? []), ...(refs.atlas ?? [])])
    for (const n of NIST_BY_REF[id] ?? []) out.add(n);
  return NIST_AI_RMF.map((e) => e.id).filter((id) => out.has(id));
}

/** A catalog entry with the findings that map to it. */
export interface StandardRow extends StandardEntry {
  findings: Finding[];
}

/** Coverage of one taxonomy: every entry, with the findings that reference it (maybe none). */
export function mapFindings(
  findings: readonly Finding[],
): Record<'owaspMl' | 'owaspLlm' | 'atlas' | 'nist', StandardRow[]> {
  const rows = (catalog: readonly StandardEntry[], ids: (f: Finding) => string[]): StandardRow[] =>
    catalog.map((e) => ({ ...e, findings: findings.filter((f) => ids(f).includes(e.id)) }));
  return {
    owaspMl: rows(OWASP_ML_2023, (f) => f.refs.owasp ?? []),
    owaspLlm: rows(OWASP_LLM_2025, (f) => f.refs.owasp ?? []),
    atlas: rows(ATLAS_TECHNIQUES, (f) => f.refs.atlas ?? []),
    nist: rows(NIST_AI_RMF, (f) => nistFor(f.refs)),
  };
}

import { makeReport, type Report } from '../core/index.js';
import type { EvidenceAdapter } from './evidence.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// Numeric fields become metrics and short strings labels, so gates can read every fact the output has.
function split(v: Record<string, unknown>): {
  metrics: Record<string, number>;
  labels: Record<string, string>;
} {
  const metrics: Record<string, number> = {};
  const labels: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.length > 256) continue;
    if (isNum(x)) metrics[k] = x;
    else if (typeof x === 'string' && x.length <= 1024) labels[k] = x;
  }
  return { metrics, labels };
}

function reportOf(
  kind: string,
  subject: string,
  v: Record<string, unknown>,
): Report & { labels: Record<string, string> } {
  const { metrics, labels } = split(v);
  // Times are not part of these outputs; a fixed epoch keeps the evidence digest stable across re-adds.
  const at = new Date(0).toISOString();
  return {
    ...makeReport({
      kind,
      subject: { name: subject },
      startedAt: at,
      finishedAt: at,
      findings: [],
      items: [],
      metrics,
      failOn: 'high',
    }),
    labels,
  };
}

/** `warden attack --json`: clean and robust accuracy of one attack at one eps. */
export const attackAdapter: EvidenceAdapter = {
  name: 'attack',
  matches: (v) =>
    typeof v.attack === 'string' && isNum(v.eps) && isNum(v.robustAccuracy) && isNum(v.cleanAccuracy),
  toReport: (v) => reportOf('attack', `${String(v.attack)} eps=${String(v.eps)}`, v),
};

/** `warden dp epsilon --json`: the privacy spent by a DP-SGD run. */
export const dpAdapter: EvidenceAdapter = {
  name: 'dp',
  matches: (v) => typeof v.accountant === 'string' && isNum(v.epsilon) && isNum(v.steps),
  toReport: (v) => reportOf('dp', `${String(v.accountant)} accountant`, v),
};

/** Every adapter, tried in order on evidence that has no `kind` (a Warden report is read as it is). */
export const EVIDENCE_ADAPTERS: readonly EvidenceAdapter[] = [attackAdapter, dpAdapter];

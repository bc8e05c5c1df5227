import { join } from 'node:path';
import type { MembershipAudit } from '../privacy/index.js';
import type { Artifact, SampleScan } from './artifacts.js';
import type { DemoData } from './data.js';
import { membershipAuc, type Robustness } from './evaluate.js';
import type { Calibration, DemoGateway } from './gateway.js';
import type { DemoOptions } from './options.js';
import { MODEL_NAME, type RegistryOutcome } from './registry.js';
import type { TableRow } from './table.js';
import type { GatewayObservation, TrafficResult } from './traffic.js';
import type { Variant } from './train.js';

/** Every number the demo measured, machine-readable (`warden demo --json`). */
export interface DemoSummary {
  workDir: string;
  store: string;
  quick: boolean;
  eps: [number, number];
  data: { source: string; train: number; test: number };
  variants: (TableRow & {
    description: string;
    parent: string | null;
    trainSeconds: number;
    membershipByAttack: Record<string, number>;
    /** Robust accuracy against eps, per attack: every budget attacked (the robustness curve). */
    curves: Record<string, { eps: number; robustAccuracy: number; attackSuccessRate: number }[]>;
    artifact: { path: string; rootDigest: string; scan: string; signer: string };
    registry: {
      ref: string;
      evidence: string[];
      gatePassed: boolean;
      unmet: { clause: string; detail: string }[];
    };
  })[];
  samples: { files: number; blocked: number; asExpected: number };
  registry: {
    model: string;
    dataset: string;
    policy: string[];
    promoted: RegistryOutcome['promoted'];
    intruder: { ref: string; unmet: { clause: string; detail: string }[] } | null;
    audit: { ok: boolean; records: number };
  };
  gateway: {
    url: string;
    served: string | null;
    /** PRADA calibration: threshold, lowest benign W, held-out false alarms, when a simulated thief was caught. */
    calibration: Calibration;
    upstream: string;
    traffic: TrafficResult;
    observed: GatewayObservation;
  };
  dashboard: { url: string; principal: string; apiKey: string };
  seconds: Record<string, number>;
}

/** Gathers the run's results into the summary. */
export function buildSummary(r: {
  o: DemoOptions;
  store: string;
  data: DemoData;
  variants: readonly Variant[];
  rows: readonly TableRow[];
  membership: MembershipAudit;
  robustness: ReadonlyMap<string, Robustness>;
  artifacts: readonly Artifact[];
  samples: SampleScan;
  outcome: RegistryOutcome;
  gateway: DemoGateway;
  upstream: string;
  traffic: TrafficResult;
  observed: GatewayObservation;
  seconds: Record<string, number>;
}): DemoSummary {
  const unmet = (g: { unmet: { clause: string; detail: string }[] }) =>
    g.unmet.map((c) => ({ clause: c.clause, detail: c.detail }));
  return {
    workDir: r.o.workDir,
    store: r.store,
    quick: r.o.quick,
    eps: r.o.eps,
    data: { source: 'data/mnist (shipped)', train: r.data.train.size, test: r.data.test.size },
    variants: r.variants.map((v, k) => {
      const row = r.rows[k] as TableRow;
      const a = r.artifacts.find((x) => x.variant === v.name);
      const g = r.outcome.versions.find((x) => x.variant === v.name);
      return {
        ...row,
        description: v.description,
        parent: v.parent ?? null,
        trainSeconds: v.trainSeconds,
        membershipByAttack: membershipAuc(r.membership, v.name).byAttack,
        curves: Object.fromEntries(
          (r.robustness.get(v.name)?.attacks ?? []).map((a) => [
            a.attack,
            a.runs.map((x) => ({
              eps: x.eps,
              robustAccuracy: x.robustAccuracy,
              attackSuccessRate: x.attackSuccessRate,
            })),
          ]),
        ),
        artifact: {
          path: a?.path ?? '',
          rootDigest: a?.rootDigest ?? '',
          scan: a?.scan.verdict ?? 'error',
          signer: a?.signer ?? '',
        },
        registry: {
          ref: g?.ref ?? '',
          evidence: g?.evidence ?? [],
          gatePassed: g?.gate.passed ?? false,
          unmet: g ? unmet(g.gate) : [],
        },
      };
    }),
    samples: { files: r.samples.files, blocked: r.samples.blocked, asExpected: r.samples.asExpected },
    registry: {
      model: MODEL_NAME,
      dataset: r.outcome.dataset,
      policy: r.outcome.policy,
      promoted: r.outcome.promoted,
      intruder: r.outcome.intruder
        ? { ref: r.outcome.intruder.ref, unmet: unmet(r.outcome.intruder.gate) }
        : null,
      audit: { ok: r.outcome.audit.ok, records: r.outcome.audit.records },
    },
    gateway: {
      url: r.gateway.gw.url,
      served: r.outcome.promoted ? `${MODEL_NAME}@${r.outcome.promoted.alias}` : null,
      calibration: r.gateway.calibration,
      upstream: r.upstream,
      traffic: r.traffic,
      observed: r.observed,
    },
    dashboard: {
      url: `${r.gateway.gw.url}/ui`,
      principal: r.gateway.principals.admin,
      apiKey: r.gateway.keys.admin,
    },
    seconds: r.seconds,
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The human-readable end of the demo: gates, what the gateway saw, where everything is. */
export function renderSummary(s: DemoSummary): string {
  const lines: string[] = [];
  lines.push(`Production gate (policy: ${s.registry.policy.join('; ')}):`);
  for (const v of s.variants) {
    lines.push(
      `  ${v.registry.ref.padEnd(16)} ${v.variant.padEnd(10)} ${v.registry.gatePassed ? 'PASSED' : 'REFUSED'}`,
    );
    for (const c of v.registry.unmet) lines.push(`      unmet: ${c.clause}  (${c.detail})`);
  }
  if (s.registry.intruder) {
    lines.push(`  ${s.registry.intruder.ref.padEnd(16)} malicious sample checkpoint REFUSED`);
    for (const c of s.registry.intruder.unmet) lines.push(`      unmet: ${c.clause}  (${c.detail})`);
  }
  const p = s.registry.promoted;
  lines.push(
    p
      ? `Promoted ${p.ref} (${p.variant}) to ${p.alias}${p.alias === 'production' ? '' : ' (no variant passed the production gate)'}.`
      : 'Nothing was promoted.',
    `Registry audit chain: ${s.registry.audit.ok ? 'verified' : 'BROKEN'} (${s.registry.audit.records} records).`,
    '',
  );
  const t = s.gateway.traffic;
  const g = s.gateway.observed;
  const c = s.gateway.calibration;
  lines.push(
    `Gateway ${s.gateway.url} serving ${s.gateway.served ?? 'nothing'} (signature required, top-3 labels, extraction detection blocking):`,
    `  PRADA threshold W < ${c.threshold.toFixed(3)}, calibrated on ${c.clients} simulated benign clients (lowest W ${c.minBenignW.toFixed(3)}); ` +
      `${c.heldOutAlarms} of ${c.clients} held-out clients alarmed; a simulated thief was ${c.attackFlaggedAt === null ? 'not flagged' : `flagged at query ${c.attackFlaggedAt}`}`,
    `  benign client: ${t.benign.ok}/${t.benign.requests} requests answered, accuracy ${pct(t.benign.accuracy)} on ${t.benign.digits} digits`,
    `  extraction attacker: ${t.extraction.queries} synthetic queries, ${t.extraction.answered} answered; ` +
      (t.extraction.alarmAfter === null
        ? 'never blocked'
        : `alarm after ${t.extraction.alarmAfter} answers, then ${t.extraction.blockedRequests} requests refused (403)`),
    `  prompt injection: ${t.injection.blocked} of ${t.injection.attempts} attempts blocked by the guard; benign chat ${t.injection.benignChatOk ? 'answered' : 'NOT answered'} (${s.gateway.upstream} upstream)`,
    `  from the gateway's own metrics and audit: ${g.extractionAlarms} extraction alarm(s) (${g.alarmedPrincipals.join(', ') || 'nobody'}), ${g.guardBlocked} guard block(s), refused by reason: ${
      Object.entries(g.deniedByCode)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
    `  gateway audit chain: ${g.audit.ok ? 'verified' : 'BROKEN'} (${g.audit.records} records)`,
    '',
    `Work directory: ${s.workDir} (models, signatures, keys, sample set; store ${s.store})`,
    `  warden registry list --store ${s.store}`,
    `  warden serve --store ${s.store} --model ${s.gateway.served ?? `${MODEL_NAME}@production`} --require-signature --public-key ${join(s.workDir, 'keys', 'signing-key.pub')}`,
    `Dashboard: ${s.dashboard.url}  (log in with the API key of ${s.dashboard.principal}: ${s.dashboard.apiKey})`,
    `Total ${s.seconds.total?.toFixed(0) ?? '?'} s.`,
  );
  return `${lines.join('\n')}\n`;
}

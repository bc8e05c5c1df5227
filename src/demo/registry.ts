import type { Report } from '../core/index.js';
import {
  Registry,
  describeDataset,
  registerModel,
  type AuditVerdict,
  type GateResult,
  type PromotionPolicyInput,
} from '../registry/index.js';
import type { Artifact } from './artifacts.js';
import { MNIST_DIR } from './data.js';
import type { Robustness } from './evaluate.js';
import type { DemoOptions } from './options.js';
import type { StepProgress } from './progress.js';
import type { Variant } from './train.js';

/** The model name every variant is a version of. */
export const MODEL_NAME = 'mnist-digits';
/** Who does what in the demo: the registry records these principals. */
export const PRINCIPALS = {
  trainer: 'demo:trainer',
  engineer: 'demo:alice',
  auditor: 'demo:bob',
  release: 'demo:release-manager',
} as const;

/** What the registry step recorded and decided for one variant. */
export interface Registered {
  variant: string;
  ref: string;
  evidence: string[];
  gate: GateResult;
}

/** The outcome of the registry step. */
export interface RegistryOutcome {
  dataset: string;
  versions: Registered[];
  /** A malicious checkpoint from the sample set, registered to show the gate refusing it. */
  intruder?: Registered;
  policy: string[];
  promoted: { ref: string; alias: string; variant: string } | null;
  audit: AuditVerdict;
}

/** The promotion policy: production needs a clean scan, a valid signature, robustness and two approvals. */
export function demoPolicy(o: DemoOptions): { input: PromotionPolicyInput; clauses: string[] } {
  const clauses = [
    'scan.verdict == pass',
    'signature valid',
    `robustness[attack=pgd,eps=${o.eps[1]}].robustAccuracy >= ${o.minRobustAccuracy}`,
    `robustness[attack=pgd].cleanAccuracy >= ${o.minCleanAccuracy}`,
    'approvals >= 2 by ml_engineer, auditor',
  ];
  return { input: { version: 1, open: ['staging'], gates: { production: clauses } }, clauses };
}

/**
 * Registers every variant as a version of MODEL_NAME with its evidence (scan, signature verification,
 * FGSM and PGD robustness, DP guarantee, membership audit) and lineage, collects two approvals, runs the
 * production gate on each, and promotes the most robust passing one.
 */
export async function registerVariants(
  reg: Registry,
  input: {
    variants: readonly Variant[];
    artifacts: readonly Artifact[];
    robustness: ReadonlyMap<string, Robustness>;
    membership: Report;
    publicPem: string;
    intruderPath?: string;
  },
  o: DemoOptions,
  p: StepProgress,
): Promise<RegistryOutcome> {
  const policy = demoPolicy(o);
  await reg.setPolicy(policy.input, PRINCIPALS.release);
  const { dataset } = await describeDataset(MNIST_DIR, { name: 'mnist' });
  const ds = (await reg.registerDataset(dataset, PRINCIPALS.trainer)).dataset.ref;
  const refs = new Map<string, string>();
  const versions: Registered[] = [];
  const total = input.variants.length + (input.intruderPath ? 1 : 0);
  for (const v of input.variants) {
    const art = input.artifacts.find((a) => a.variant === v.name);
    const rob = input.robustness.get(v.name);
    if (!art || !rob) throw new Error(`variant ${v.name} has no artifact or robustness result`);
    const parent = v.parent ? refs.get(v.parent) : undefined;
    const r = await registerModel(reg, art.path, {
      name: MODEL_NAME,
      actor: PRINCIPALS.trainer,
      publicKey: input.publicPem,
      ...(parent ? { parents: [{ ref: parent, relation: 'fine_tuned_from' as const }] } : {}),
      datasets: [{ ref: ds, relation: 'trained_on' }],
      meta: { variant: v.name, recipe: v.description, architecture: 'mnist-mlp' },
    });
    const ref = r.version.ref;
    refs.set(v.name, ref);
    const evidence = ['verify'];
    const add = async (kind: string, report: unknown) => {
      await reg.addEvidence(ref, report, PRINCIPALS.trainer);
      evidence.push(kind);
    };
    await add('scan', art.scan);
    for (const a of rob.attacks) await add(`robustness:${a.attack}`, a.report);
    if (v.dp) await add('privacy.dp-training', v.dp.report);
    await add('privacy.membership-audit', input.membership);
    // approvals last: new evidence would expire them
    await reg.approve(ref, { principal: PRINCIPALS.engineer, role: 'ml_engineer', comment: 'demo review' });
    await reg.approve(ref, { principal: PRINCIPALS.auditor, role: 'auditor', comment: 'demo audit' });
    versions.push({ variant: v.name, ref, evidence, gate: await reg.checkGate(ref, 'production') });
    p.update(versions.length, total, `${ref} (${v.name})`);
  }
  let intruder: Registered | undefined;
  if (input.intruderPath) {
    // no signature beside it: registered unsigned, scanned on the way in
    const r = await registerModel(reg, input.intruderPath, {
      name: 'hub-checkpoint',
      actor: PRINCIPALS.trainer,
      scan: true,
      meta: { source: 'downloaded from a model hub (sample set)' },
    });
    await reg.approve(r.version.ref, { principal: PRINCIPALS.engineer, role: 'ml_engineer' });
    await reg.approve(r.version.ref, { principal: PRINCIPALS.auditor, role: 'auditor' });
    intruder = {
      variant: 'hub-checkpoint',
      ref: r.version.ref,
      evidence: ['scan'],
      gate: await reg.checkGate(r.version.ref, 'production'),
    };
    p.update(total, total, `${r.version.ref} (malicious sample)`);
  }
  const robustAt = (name: string) => {
    const r = input.robustness.get(name);
    return (
      (r?.attacks.find((a) => a.attack === 'pgd')?.runs.at(-1)?.robustAccuracy ?? 0) * 10 +
      (r?.cleanAccuracy ?? 0)
    );
  };
  const ranked = [...versions].sort((a, b) => robustAt(b.variant) - robustAt(a.variant));
  const best = ranked.find((v) => v.gate.passed);
  let promoted: RegistryOutcome['promoted'] = null;
  // nothing passed: the most robust variant goes to the open staging alias, so the gateway still has a model
  const pick = best ?? ranked[0];
  const alias = best ? 'production' : 'staging';
  if (pick) {
    const r = await reg.promote(pick.ref, alias, PRINCIPALS.release);
    if (r.promoted) promoted = { ref: pick.ref, alias, variant: pick.variant };
  }
  return {
    dataset: ds,
    versions,
    ...(intruder ? { intruder } : {}),
    policy: policy.clauses,
    promoted,
    audit: await reg.verifyAudit(),
  };
}

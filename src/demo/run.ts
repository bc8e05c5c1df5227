import { join } from 'node:path';
import { Registry } from '../registry/index.js';
import { demoKey, exportArtifacts, scanSamples, type Artifact, type SampleScan } from './artifacts.js';
import { demoData } from './data.js';
import { attackVariant, auditMembership, membershipAuc, type Robustness } from './evaluate.js';
import { calibrateThreshold, startDemoGateway, type DemoGateway } from './gateway.js';
import { curveEps, freshWorkDir, parseDemoOptions, type DemoOptionsInput } from './options.js';
import { Progress, type ProgressSink } from './progress.js';
import { registerVariants, MODEL_NAME } from './registry.js';
import { buildSummary, type DemoSummary } from './summary.js';
import { renderTable, type TableRow } from './table.js';
import { observeGateway, sendTraffic } from './traffic.js';
import { trainAdversarial, trainBaseline, trainPrivate, type Variant } from './train.js';
import { startChatUpstream, type ChatUpstream } from './upstream.js';

/** Where the demo writes: progress (stderr) and the human-readable results. */
export interface DemoIo {
  progress: ProgressSink;
  out: (text: string) => void;
}

/** A finished run: every number measured, and the gateway still serving until `close`. */
export interface DemoRun {
  summary: DemoSummary;
  close(): Promise<void>;
}

export const STEPS = 10;

/**
 * Warden's lifecycle end to end on the shipped digits: train, attack, harden, audit, compare, export, scan,
 * sign, register with evidence, gate, promote, serve through the gateway and attack it. Every number in the
 * summary is measured in this run.
 */
export async function runDemo(input: DemoOptionsInput, io: DemoIo): Promise<DemoRun> {
  const o = parseDemoOptions(input);
  const pr = new Progress(io.progress, STEPS);
  const seconds: Record<string, number> = {};
  freshWorkDir(o.workDir);
  const store = `sqlite:${join(o.workDir, 'warden.db')}`;
  pr.log(`warden demo: work directory ${o.workDir}${o.quick ? ' (--quick sizes)' : ''}`);

  let s = pr.step(1, 'Load the shipped MNIST digits (data/mnist)');
  const data = demoData(o.sizes.train, o.sizes.test, o.seed);
  seconds.data = s.done(
    `${data.train.size} training / ${data.test.size} held-out digits (seeded split of ${data.pool})`,
  );

  s = pr.step(2, 'Train the baseline classifier (mnist-mlp)');
  const baseline = await trainBaseline(data.train, o, s);
  seconds.baseline = s.done();

  s = pr.step(3, `Attack it: FGSM and PGD-${o.sizes.pgdSteps} at eps ${o.eps.join(' and ')}`);
  const robustness = new Map<string, Robustness>();
  const attackTotal = (n: number) => ({
    done: 0,
    total: n * 2 * curveEps(o).length * Math.min(o.sizes.attackExamples, data.test.size),
  });
  robustness.set('baseline', await attackVariant(baseline, data.test, o, s, attackTotal(1)));
  const br = robustness.get('baseline') as Robustness;
  seconds.attackBaseline = s.done(
    `clean ${(br.cleanAccuracy * 100).toFixed(1)}%, robust ${br.robustAccuracy.map((v) => `${(v * 100).toFixed(1)}%`).join(' / ')}`,
  );

  s = pr.step(4, 'Harden: PGD adversarial training, DP-SGD, and both');
  // four equal parts of one bar: three trainings, then the attacks on the three hardened variants
  const part = (k: number, label: string) => ({
    update: (d: number, t: number, note?: string) =>
      s.update(k * t + d, 4 * t, `${label}${note ? `: ${note}` : ''}`),
    done: () => 0,
  });
  const variants: Variant[] = [baseline];
  variants.push(await trainAdversarial(baseline, data.train, o, part(0, 'pgd-at')));
  variants.push(await trainPrivate(data.train, o, part(1, 'dp-sgd'), false));
  variants.push(await trainPrivate(data.train, o, part(2, 'dp-pgd-at'), true));
  const hardened = variants.slice(1);
  const tally = attackTotal(hardened.length);
  for (const v of hardened)
    robustness.set(v.name, await attackVariant(v, data.test, o, part(3, 'attacks'), tally));
  seconds.harden = s.done(hardened.map((v) => `${v.name} ${v.trainSeconds.toFixed(0)} s`).join(', '));

  s = pr.step(5, 'Membership-inference audit of every variant');
  const membership = await auditMembership(variants, data.train, data.test, o);
  s.update(1, 1);
  seconds.membership = s.done(
    `${membership.evaluated.members} members vs ${membership.evaluated.nonMembers} non-members`,
  );

  s = pr.step(6, 'Compare');
  const rows: TableRow[] = variants.map((v) => {
    const r = robustness.get(v.name) as Robustness;
    return {
      variant: v.name,
      cleanAccuracy: r.cleanAccuracy,
      robustAccuracy: r.robustAccuracy,
      byAttack: Object.fromEntries(
        r.attacks.map((a) => [
          a.attack,
          o.eps.map((e) => a.runs.find((x) => x.eps === e)?.robustAccuracy ?? NaN),
        ]),
      ) as Record<string, [number, number]>,
      epsilon: v.dp ? v.dp.result.epsilon : null,
      delta: v.dp ? v.dp.result.delta : null,
      membershipAuc: membershipAuc(membership, v.name).auc,
    };
  });
  const table = renderTable(rows, o.eps, {
    examples: Math.min(o.sizes.attackExamples, data.test.size),
    pgd: `PGD-${o.sizes.pgdSteps} (random start, ${o.sizes.pgdRestarts} restart${o.sizes.pgdRestarts > 1 ? 's' : ''})`,
  });
  io.out(`\n${table}\n`);
  seconds.compare = s.done();

  s = pr.step(7, 'Export to ONNX, scan, sign (OpenSSF model signing, key generated for this run), verify');
  const key = demoKey(join(o.workDir, 'keys'));
  const artifacts: Artifact[] = await exportArtifacts(variants, o.workDir, key, s);
  const samples: SampleScan = await scanSamples(join(o.workDir, 'samples'));
  seconds.artifacts = s.done(
    `${artifacts.length} models signed and verified; sample set: ${samples.blocked} of ${samples.files} files blocked, ${samples.asExpected} as expected`,
  );

  s = pr.step(8, 'Register versions with evidence, approve, gate, promote');
  const reg = await Registry.open(store);
  let outcome;
  try {
    outcome = await registerVariants(
      reg,
      {
        variants,
        artifacts,
        robustness,
        membership: membership.report,
        publicPem: key.publicPem,
        intruderPath: join(o.workDir, 'samples', 'malicious', 'torch', 'trojan.pt'),
      },
      o,
      s,
    );
  } finally {
    await reg.close();
  }
  seconds.registry = s.done(
    outcome.promoted
      ? `${outcome.promoted.ref} (${outcome.promoted.variant}) -> ${outcome.promoted.alias}`
      : 'nothing promoted',
  );

  s = pr.step(
    9,
    'Serve the promoted model through the gateway; benign traffic, extraction attack, prompt injection',
  );
  const servedRef = outcome.promoted ? `${MODEL_NAME}@${outcome.promoted.alias}` : `${MODEL_NAME}@staging`;
  const servedVariant = variants.find((v) => v.name === outcome.promoted?.variant) ?? baseline;
  const cal = await calibrateThreshold(servedVariant.bytes, data.test, o);
  let upstream: ChatUpstream | undefined;
  let gw: DemoGateway | undefined;
  try {
    upstream = await startChatUpstream();
    gw = await startDemoGateway(o, {
      store,
      ref: servedRef,
      publicKeyPath: key.publicPath,
      upstream: upstream.url,
      calibration: cal,
    });
    const traffic = await sendTraffic(gw, data, o, s);
    const observed = await observeGateway(gw);
    seconds.gateway = s.done(
      `${observed.extractionAlarms} extraction alarm(s), ${observed.guardBlocked} prompt(s) blocked by the guard`,
    );
    s = pr.step(10, 'Summary');
    const summary = buildSummary({
      o,
      store,
      data,
      variants,
      rows,
      membership,
      robustness,
      artifacts,
      samples,
      outcome,
      gateway: gw,
      upstream: upstream.kind,
      traffic,
      observed,
      seconds: { ...seconds, total: pr.elapsed },
    });
    s.done();
    const running = { gw, upstream };
    return {
      summary,
      close: async () => {
        await running.gw.gw.close();
        await running.upstream.close();
      },
    };
  } catch (e) {
    await gw?.gw.close().catch(() => {});
    await upstream?.close().catch(() => {});
    throw e;
  }
}

export { MODEL_NAME };

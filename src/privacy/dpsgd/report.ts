import { createHash } from 'node:crypto';
import { makeReport, type Finding, type Report } from '../../core/index.js';
import type { DpTrainResult } from './train.js';

/** What the evidence of a DP-SGD run is about: the model written and how it was trained. */
export interface DpEvidenceSubject {
  name: string;
  bytes: Uint8Array;
  architecture: string;
  examples: number;
  epochs: number;
  batchSize: number;
  testAccuracy: number | null;
  startedAt: string;
}

/**
 * The model's privacy evidence: the (epsilon, delta) guarantee and everything needed to recheck it
 * with `warden dp epsilon` (q, sigma, steps, accountant), as a Report the registry and gates can read.
 */
export function dpEvidenceReport(s: DpEvidenceSubject, r: DpTrainResult): Report {
  const findings: Finding[] = [
    {
      id: 'privacy.dp-sgd.guarantee',
      detector: 'privacy.dp-sgd',
      severity: 'info',
      title: `(${r.epsilon.toFixed(3)}, ${r.delta})-DP by DP-SGD`,
      detail:
        `${r.steps} Poisson-sampled steps at q = ${r.sampleRate.toPrecision(6)}, noise multiplier ` +
        `${r.noiseMultiplier.toPrecision(6)}, per-example clipping at ${r.maxGradNorm}; ${r.accountant} ` +
        'accountant, add/remove adjacency, example-level privacy.',
      refs: {},
    },
  ];
  if (r.noiseSeeded)
    findings.push({
      id: 'privacy.dp-sgd.seeded-noise',
      detector: 'privacy.dp-sgd',
      severity: 'medium',
      title: 'noise and sampling were derived from a seed',
      detail:
        'The run is reproducible, but anyone who knows the noise seed can subtract the noise: the ' +
        'guarantee holds only while the seed stays secret. Train without --noise-seed for a release.',
      refs: {},
    });
  if (r.delta >= 1 / s.examples)
    findings.push({
      id: 'privacy.dp-sgd.large-delta',
      detector: 'privacy.dp-sgd',
      severity: 'medium',
      title: `delta ${r.delta} is not below 1/N = ${(1 / s.examples).toPrecision(3)}`,
      detail: 'A delta of 1/N or more allows releasing some training examples outright; pick delta << 1/N.',
      refs: {},
    });
  const metrics: Record<string, number> = {
    epsilon: r.epsilon,
    delta: r.delta,
    noiseMultiplier: r.noiseMultiplier,
    maxGradNorm: r.maxGradNorm,
    sampleRate: r.sampleRate,
    steps: r.steps,
    epochs: s.epochs,
    expectedBatchSize: s.batchSize,
    meanBatchSize: r.meanBatch,
    trainingExamples: s.examples,
    seconds: r.seconds,
  };
  if (s.testAccuracy !== null) metrics.testAccuracy = s.testAccuracy;
  r.epochs.forEach((e) => (metrics[`epsilon.epoch${e.epoch}`] = e.epsilon));
  const digest = createHash('sha256').update(s.bytes).digest('hex');
  return makeReport({
    kind: 'privacy.dp-training',
    subject: { name: s.name, digest: `sha256:${digest}` },
    startedAt: s.startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [
      { name: s.name, format: `onnx:${s.architecture}`, status: 'findings', findings: findings.length },
    ],
    metrics,
    failOn: 'high',
  });
}

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { WardenError } from '../core/index.js';

/** How much work each step does: the full default, or tiny sizes for tests (`--quick`). */
export interface DemoSizes {
  train: number;
  test: number;
  baselineEpochs: number;
  /** PGD adversarial fine-tuning: epochs and PGD steps per batch (eps ramps up to the larger eps). */
  advEpochs: number;
  advSteps: number;
  /** DP-SGD epochs and expected batch size (the DP + adversarial variant uses the same). */
  dpEpochs: number;
  dpBatch: number;
  /** Test examples attacked, PGD steps and restarts. */
  attackExamples: number;
  /** Extra eps points between 0 and the larger eps for the robustness curves (0: only the two eps). */
  curvePoints: number;
  pgdSteps: number;
  pgdRestarts: number;
  /** Membership audit: bootstrap rounds, shadow models and their epochs (0 shadows: loss attack only). */
  bootstrap: number;
  shadows: number;
  shadowEpochs: number;
  /** Gateway traffic: benign digits sent, and the extraction attacker's query budget. */
  benignQueries: number;
  extractionQueries: number;
}

export const FULL_SIZES: DemoSizes = {
  train: 8000,
  test: 2000,
  baselineEpochs: 20,
  advEpochs: 30,
  advSteps: 10,
  dpEpochs: 20,
  dpBatch: 256,
  attackExamples: 2000,
  curvePoints: 6,
  pgdSteps: 40,
  pgdRestarts: 2,
  bootstrap: 200,
  shadows: 4,
  shadowEpochs: 10,
  benignQueries: 600,
  extractionQueries: 600,
};

export const QUICK_SIZES: DemoSizes = {
  train: 4000,
  test: 1000,
  baselineEpochs: 10,
  advEpochs: 12,
  advSteps: 5,
  dpEpochs: 10,
  dpBatch: 200,
  attackExamples: 500,
  curvePoints: 0,
  pgdSteps: 10,
  pgdRestarts: 1,
  bootstrap: 50,
  shadows: 2,
  shadowEpochs: 4,
  benignQueries: 300,
  extractionQueries: 400,
};

const Eps = z.number().positive().max(1);

/** The demo's options as the CLI (or a caller) gives them; validated once here. */
export const DemoOptionsSchema = z.strictObject({
  /** Work directory, created fresh (default ./warden-demo). */
  dir: z.string().min(1).default('warden-demo'),
  quick: z.boolean().default(false),
  /** Stop after the summary instead of serving until Ctrl-C. */
  exit: z.boolean().default(false),
  json: z.boolean().default(false),
  host: z.string().default('127.0.0.1'),
  port: z.int().min(0).max(65535).default(0),
  /** The two attack budgets (Linf, inputs in [0, 1]). */
  eps: z.tuple([Eps, Eps]).default([0.1, 0.3]),
  /** DP-SGD target (epsilon, delta). */
  targetEpsilon: z.number().positive().max(100).default(8),
  delta: z.number().positive().max(0.01).default(1e-5),
  /** The production gate's robust-accuracy floor at the larger eps (PGD); default 0.1 (0.05 with quick). */
  minRobustAccuracy: z.number().min(0).max(1).optional(),
  /** The production gate's clean-accuracy floor; default 0.85 (0.75 with quick, whose models train less). */
  minCleanAccuracy: z.number().min(0).max(1).optional(),
  seed: z.int().min(0).default(0),
  threads: z.int().min(1).max(64).default(1),
});
export type DemoOptionsInput = z.input<typeof DemoOptionsSchema>;
export type DemoOptions = Omit<
  z.infer<typeof DemoOptionsSchema>,
  'minRobustAccuracy' | 'minCleanAccuracy'
> & {
  sizes: DemoSizes;
  workDir: string;
  minRobustAccuracy: number;
  minCleanAccuracy: number;
};

/** The eps budgets attacked: the two of the table, plus evenly spaced curve points up to the larger. */
export function curveEps(o: Pick<DemoOptions, 'eps' | 'sizes'>): number[] {
  const n = o.sizes.curvePoints;
  const points = Array.from({ length: n }, (_, k) => Number((((k + 1) * o.eps[1]) / n).toFixed(4)));
  return [...new Set([...o.eps, ...points])].filter((e) => e <= o.eps[1]).sort((a, b) => a - b);
}

/** Validates the options and resolves the sizes and the absolute work directory. */
export function parseDemoOptions(input: DemoOptionsInput): DemoOptions {
  const r = DemoOptionsSchema.safeParse(input);
  if (!r.success)
    throw new WardenError('USAGE', `invalid demo options: ${z.prettifyError(r.error)}`, { kind: 'usage' });
  const o = r.data;
  if (o.eps[0] >= o.eps[1])
    throw new WardenError('USAGE', 'the first eps must be smaller than the second', { kind: 'usage' });
  return {
    ...o,
    sizes: o.quick ? QUICK_SIZES : FULL_SIZES,
    workDir: resolve(o.dir),
    minRobustAccuracy: o.minRobustAccuracy ?? (o.quick ? 0.05 : 0.1),
    minCleanAccuracy: o.minCleanAccuracy ?? (o.quick ? 0.75 : 0.85),
  };
}

/** Marks a folder as the demo's, so that a later run may clear it and nothing else. */
export const MARKER = '.warden-demo';

/**
 * Creates the work directory fresh: a previous demo's folder (it holds the marker) is cleared; any other
 * non-empty folder is refused rather than deleted.
 */
export function freshWorkDir(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER))
      throw new WardenError(
        'USAGE',
        `${dir} exists and was not made by warden demo; choose another folder with --dir`,
        { kind: 'usage' },
      );
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'made by warden demo; the next run clears this folder\n');
}

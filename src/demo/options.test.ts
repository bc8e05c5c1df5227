import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { parsePromotionPolicy } from '../registry/index.js';
import { FULL_SIZES, MARKER, QUICK_SIZES, curveEps, freshWorkDir, parseDemoOptions } from './options.js';
import { demoPolicy } from './registry.js';

const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isWardenError(e) && e.kind === 'usage' ? e.message : `other: ${String(e)}`;
  }
  return 'no error';
};

describe('demo options', () => {
  it('defaults: full sizes, ./warden-demo, eps 0.1 and 0.3, DP target epsilon 8 at delta 1e-5', () => {
    const o = parseDemoOptions({});
    expect(o.sizes).toBe(FULL_SIZES);
    expect(o.workDir).toBe(resolve('warden-demo'));
    expect(o.eps).toEqual([0.1, 0.3]);
    expect([o.targetEpsilon, o.delta]).toEqual([8, 1e-5]);
    expect(parseDemoOptions({ quick: true }).sizes).toBe(QUICK_SIZES);
  });

  it('quick sizes are smaller everywhere that costs time', () => {
    for (const k of ['train', 'baselineEpochs', 'advEpochs', 'attackExamples', 'pgdSteps'] as const)
      expect(QUICK_SIZES[k]).toBeLessThanOrEqual(FULL_SIZES[k]);
  });

  it('attacks the two eps of the table, plus evenly spaced curve points in the full run', () => {
    expect(curveEps(parseDemoOptions({ quick: true }))).toEqual([0.1, 0.3]);
    expect(curveEps(parseDemoOptions({}))).toEqual([0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(curveEps(parseDemoOptions({ eps: [0.07, 0.2] }))).toEqual([
      0.0333, 0.0667, 0.07, 0.1, 0.1333, 0.1667, 0.2,
    ]);
  });

  it('refuses bad options as usage errors', () => {
    expect(usage(() => parseDemoOptions({ eps: [0.3, 0.1] }))).toMatch(/first eps must be smaller/);
    expect(usage(() => parseDemoOptions({ port: 70000 }))).toMatch(/invalid demo options/);
    expect(usage(() => parseDemoOptions({ extra: 1 } as never))).toMatch(/invalid demo options/);
  });

  it('the production gate is a valid promotion policy naming the larger eps', () => {
    const o = parseDemoOptions({ minRobustAccuracy: 0.2 });
    const { input, clauses } = demoPolicy(o);
    const p = parsePromotionPolicy(input);
    expect(p.gates.production).toHaveLength(clauses.length);
    expect(clauses).toContain('robustness[attack=pgd,eps=0.3].robustAccuracy >= 0.2');
    expect(p.open).toEqual(['staging']);
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'warden-demo-workdir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('freshWorkDir', () => {
  it('creates a missing folder with the marker', () => {
    const dir = join(tmp, 'new', 'nested');
    freshWorkDir(dir);
    expect(readdirSync(dir)).toEqual([MARKER]);
  });

  it("clears a previous demo's folder", () => {
    const dir = join(tmp, 'again');
    freshWorkDir(dir);
    writeFileSync(join(dir, 'old.onnx'), 'x');
    freshWorkDir(dir);
    expect(readdirSync(dir)).toEqual([MARKER]);
  });

  it('refuses a non-empty folder it did not make, and leaves it alone', () => {
    const dir = join(tmp, 'user');
    mkdirSync(dir);
    writeFileSync(join(dir, 'precious.txt'), 'keep');
    let err: unknown;
    try {
      freshWorkDir(dir);
    } catch (e) {
      err = e;
    }
    expect(isWardenError(err) && err.kind === 'usage').toBe(true);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });
});

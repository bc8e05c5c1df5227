import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  generateKeyPair,
  scanPaths,
  signModel,
  verifyModel,
  verifyReport,
  inspectModel,
  writeSampleSet,
  type VerifyReport,
} from '../artifacts/index.js';
import { atLeast, type Report } from '../core/index.js';
import type { StepProgress } from './progress.js';
import type { Variant } from './train.js';

/** One exported, scanned, signed and verified model file. */
export interface Artifact {
  variant: string;
  path: string;
  scan: Report;
  signer: string;
  rootDigest: string;
  verify: VerifyReport;
}

/** The sample set of benign and malicious model files and how the scanner judged each. */
export interface SampleScan {
  files: number;
  asExpected: number;
  blocked: number;
  report: Report;
  wrong: { path: string; expected: string; got: string }[];
}

/** An ECDSA P-256 signing key generated for this run: private key (mode 0600) and public key in `dir`. */
export function demoKey(dir: string): { privatePem: string; publicPem: string; publicPath: string } {
  mkdirSync(dir, { recursive: true });
  const k = generateKeyPair('p256');
  writeFileSync(join(dir, 'signing-key.pem'), k.privatePem, { mode: 0o600 });
  const publicPath = join(dir, 'signing-key.pub');
  writeFileSync(publicPath, k.publicPem);
  return { ...k, publicPath };
}

/**
 * Writes each variant to `models/VARIANT/model.onnx`, scans it (no code runs), signs it (OpenSSF model
 * signing bundle `model.sig` beside it) and verifies the signature with the public key.
 */
export async function exportArtifacts(
  variants: readonly Variant[],
  dir: string,
  key: { privatePem: string; publicPem: string },
  p: StepProgress,
): Promise<Artifact[]> {
  const out: Artifact[] = [];
  for (const v of variants) {
    const folder = join(dir, 'models', v.name);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, 'model.onnx');
    writeFileSync(path, v.bytes);
    const scan = await scanPaths([path], { failOn: 'high' });
    const signed = await signModel(path, { privateKey: key.privatePem });
    const startedAt = new Date().toISOString();
    const outcome = await inspectModel(path, { publicKey: key.publicPem });
    const verify = verifyReport(path, outcome, { startedAt, finishedAt: new Date().toISOString() });
    // throws on a bad signature: a demo that cannot verify its own signature must stop here
    const checked = await verifyModel(path, { publicKey: key.publicPem });
    out.push({
      variant: v.name,
      path,
      scan,
      signer: checked.signer,
      rootDigest: signed.rootDigest,
      verify,
    });
    p.update(out.length, variants.length, `${v.name}: scan ${scan.verdict}, signature verified`);
  }
  return out;
}

/** Generates the sample set (benign and malicious model files) under `dir` and scans it. */
export async function scanSamples(dir: string): Promise<SampleScan> {
  const samples = writeSampleSet(dir);
  const names = new Map(samples.map((s) => [s.path, relative(dir, s.path)]));
  const report = await scanPaths([dir], { failOn: 'high' }, undefined, names);
  const wrong: SampleScan['wrong'] = [];
  let blocked = 0;
  for (const s of samples) {
    const name = names.get(s.path) ?? s.path;
    const item = report.items.find((i) => i.name === name || i.name === s.path);
    const bad = report.findings.some(
      (f) => (f.location?.path === name || f.location?.path === s.path) && atLeast(f.severity, 'high'),
    );
    const got = item?.status === 'error' ? 'error' : bad ? 'fail' : 'pass';
    if (got !== 'pass') blocked++;
    if (got !== s.expect) wrong.push({ path: name, expected: s.expect, got });
  }
  return { files: samples.length, asExpected: samples.length - wrong.length, blocked, report, wrong };
}

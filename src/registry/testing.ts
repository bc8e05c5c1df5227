import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, signModel } from '../artifacts/index.js';
import { makeReport, type Finding, type Report } from '../core/index.js';

/** A tiny real safetensors file: one float32 tensor whose values follow from `seed`. */
export function safetensorsBytes(seed: number, n = 16): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      w: { dtype: 'F32', shape: [n], data_offsets: [0, n * 4] },
      __metadata__: { seed: String(seed) },
    }),
  );
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const data = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) data.writeFloatLE(Math.sin(seed * 1000 + i), i * 4);
  return Buffer.concat([len, header, data]);
}

/** Writes a model directory (weights + config) under `dir`; a different seed gives a different artifact. */
export function makeModel(dir: string, name: string, seed: number): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'model.safetensors'), safetensorsBytes(seed));
  writeFileSync(join(path, 'config.json'), JSON.stringify({ architecture: 'mlp', seed }));
  return path;
}

/** A P-256 key pair as PEM. */
export function keyPair(): { privatePem: string; publicPem: string } {
  return generateKeyPair('p256');
}

/** Writes and signs a model (model.sig inside it) with the given key. */
export async function signedModel(
  dir: string,
  name: string,
  seed: number,
  key: { privatePem: string },
  provenance?: { source: { digest: { sha256: string } } },
): Promise<string> {
  const path = makeModel(dir, name, seed);
  await signModel(path, { privateKey: key.privatePem, ...(provenance ? { provenance } : {}) });
  return path;
}

/** A Warden report of `kind` with the given metrics (and findings), as other domains produce them. */
export function report(
  kind: string,
  metrics: Record<string, number>,
  findings: Finding[] = [],
  subject = 'model',
): Report {
  const at = new Date().toISOString();
  return makeReport({
    kind,
    subject: { name: subject },
    startedAt: at,
    finishedAt: at,
    findings,
    items: [],
    metrics,
    failOn: 'high',
  });
}

/** One finding of a given severity. */
export function finding(severity: Finding['severity'], id = 'test.finding'): Finding {
  return { id, detector: 'test', severity, title: id, detail: id, refs: {} };
}

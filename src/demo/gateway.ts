import { seededRandom } from '../core/index.js';
import {
  ApiKeys,
  calibrateExtraction,
  parseGatewayConfig,
  startGateway,
  type RunningGateway,
} from '../gateway/index.js';
import { onnxClassifier, predict, type Dataset } from '../robustness/index.js';
import { createDashboard } from '../web/index.js';
import type { DemoOptions } from './options.js';
import { MODEL_NAME, PRINCIPALS } from './registry.js';

/** The running gateway and the API keys of the demo principals (each shown once, here). */
export interface DemoGateway {
  gw: RunningGateway;
  keys: { client: string; thief: string; auditor: string; admin: string };
  principals: { client: string; thief: string; auditor: string; admin: string };
  /** The PRADA alarm threshold, calibrated on benign digit streams. */
  threshold: number;
  minBenignW: number;
}

/**
 * Calibrates PRADA's threshold on benign clients: streams of real training digits labelled by the served
 * model, replayed through detectors that never alarm; the threshold sits just under the lowest W seen.
 */
export async function calibrateThreshold(
  bytes: Uint8Array,
  data: Dataset,
  o: DemoOptions,
): Promise<{ threshold: number; minBenignW: number }> {
  const clf = await onnxClassifier(bytes, data.shape, data.classes, o.threads);
  const per = data.shape.reduce((a, b) => a * b, 1);
  const n = Math.min(o.sizes.benignQueries, data.size);
  const rnd = seededRandom(o.seed + 7);
  const streams = [];
  try {
    for (let s = 0; s < 4; s++) {
      const x = new Float32Array(n * per);
      for (let r = 0; r < n; r++) {
        const i = Math.floor(rnd() * data.size);
        x.set(data.x.subarray(i * per, (i + 1) * per), r * per);
      }
      streams.push({ data: x, rowSize: per, labels: Array.from(await predict(clf, x, n)) });
    }
  } finally {
    await clf.close();
  }
  return calibrateExtraction(streams, {}, 0.02);
}

/**
 * Serves the promoted version through the gateway in this process, loaded from the registry by its alias:
 * admitted only if its gate passes now, its files match the registered digests and its stored signature
 * verifies with the run's public key. Inputs range-checked to [0, 1], answers hardened to the top 3 labels with 2-decimal scores, PRADA
 * extraction detection blocking an alarmed principal, and the chat upstream behind the guard.
 */
export async function startDemoGateway(
  o: DemoOptions,
  s: {
    store: string;
    /** The registry reference served, e.g. mnist-digits@production. */
    ref: string;
    publicKeyPath: string;
    upstream: string;
    threshold: number;
    minBenignW: number;
  },
): Promise<DemoGateway> {
  const config = parseGatewayConfig({
    host: o.host,
    port: o.port,
    store: s.store,
    signature: { require: true, publicKey: s.publicKeyPath },
    models: {
      [MODEL_NAME]: {
        registry: s.ref,
        ranges: { input: { min: 0, max: 1 } },
        output: { mode: 'top-k', topK: 3, decimals: 2 },
        extraction: { enabled: true, threshold: s.threshold, action: 'block' },
      },
    },
    openai: { assistant: { url: s.upstream } },
  });
  const gw = await startGateway(config, { mounts: [createDashboard()] });
  try {
    const keys = new ApiKeys(gw.store);
    const principals = {
      client: PRINCIPALS.engineer,
      thief: 'demo:mallory',
      auditor: PRINCIPALS.auditor,
      admin: 'demo:admin',
    };
    const made = {
      client: (await keys.create(principals.client, 'ml_engineer')).key,
      thief: (await keys.create(principals.thief, 'data_scientist')).key,
      auditor: (await keys.create(principals.auditor, 'auditor')).key,
      admin: (await keys.create(principals.admin, 'admin')).key,
    };
    for (const [who, p] of Object.entries(principals))
      gw.audit.record({
        actor: 'demo',
        action: 'keys.create',
        resource: p,
        decision: 'admin',
        status: 0,
        detail: { principal: p, for: who },
      });
    return { gw, keys: made, principals, threshold: s.threshold, minBenignW: s.minBenignW };
  } catch (e) {
    await gw.close();
    throw e;
  }
}

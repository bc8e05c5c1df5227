import {
  ApiKeys,
  calibrateOnPool,
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
  /** The PRADA alarm threshold, calibrated on simulated benign clients. */
  calibration: Calibration;
}

/** PRADA's threshold for the served model, and how it did on clients it was not calibrated on. */
export interface Calibration {
  threshold: number;
  minBenignW: number;
  /** Held-out simulated benign clients that alarmed at the threshold (false alarms). */
  heldOutAlarms: number;
  clients: number;
  /** Query at which the simulated Jacobian-style thief was flagged, or null. */
  attackFlaggedAt: number | null;
}

/**
 * Calibrates PRADA's threshold on simulated benign clients drawing held-out digits labelled by the served
 * model (training digits give higher W than unseen ones, so they would set it too high), as `warden
 * extraction calibrate` does; the threshold sits 0.1 under the lowest benign W, which cut false alarms on
 * held-out clients while the demo's thief still scores far below it (W 0.5-0.7).
 */
export async function calibrateThreshold(
  bytes: Uint8Array,
  data: Dataset,
  o: DemoOptions,
): Promise<Calibration> {
  const clf = await onnxClassifier(bytes, data.shape, data.classes, o.threads);
  let labels: Uint8Array;
  try {
    labels = await predict(clf, data.x, data.size);
  } finally {
    await clf.close();
  }
  const r = calibrateOnPool(
    { data: data.x, rowSize: data.x.length / data.size, labels },
    { clients: 8, queries: o.sizes.benignQueries, margin: 0.1, seed: o.seed + 1 },
  );
  return {
    threshold: r.threshold,
    minBenignW: r.minBenignW,
    heldOutAlarms: r.heldOutAlarms,
    clients: r.clients,
    attackFlaggedAt: r.attackFlaggedAt,
  };
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
    calibration: Calibration;
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
        extraction: { enabled: true, threshold: s.calibration.threshold, action: 'block' },
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
    return { gw, keys: made, principals, calibration: s.calibration };
  } catch (e) {
    await gw.close();
    throw e;
  }
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEFAULT_SIGNATURE,
  ENCRYPTED_SUFFIX,
  decryptToBuffer,
  keyProviderFromSpec,
  verifyModel,
  verifyModelBytes,
} from '../artifacts/index.js';
import { isWardenError } from '../core/index.js';
import type { Registry } from '../registry/index.js';
import { OipBackend } from './backends/oip.js';
import { OnnxBackend } from './backends/onnx.js';
import type { Backend } from './backends/types.js';
import type { GatewayConfig, ModelConfig } from './config.js';
import { gatewayError } from './errors.js';
import { DriftMonitor, type InputDriftOptions } from './stages/drift.js';
import { ExtractionDetector, type ExtractionOptions } from './stages/extraction.js';
import type { OutputPolicy } from './stages/harden.js';
import type { ValidationRules } from './stages/validate.js';
import { admitFromRegistry } from './registry-load.js';

/** Largest decrypted model held in memory (onnxruntime takes the buffer as it is). */
const MAX_MODEL_BYTES = 2 * 1024 ** 3;

/** The signature of `m.onnx.wenc` is the one beside it, as for its plaintext `m.onnx`. */
function signaturePathFor(path: string): string {
  return join(dirname(path), DEFAULT_SIGNATURE);
}

/** A model as the pipeline serves it: backend, per-model rules and its monitors. */
export interface ServedModel {
  name: string;
  backend: Backend;
  rules: ValidationRules;
  output: OutputPolicy;
  rate?: { rate: number; burst: number };
  extraction?: { detector: ExtractionDetector; block: boolean; options: Partial<ExtractionOptions> };
  drift?: DriftMonitor;
  /** What the drift monitor was built from, so that a monitor thread can build its own. */
  driftSpec?: { reference: Float64Array; options: Partial<InputDriftOptions> };
  /** Elements per row of the first input (for the monitors). */
  rowSize: number;
  /** How the model was admitted, e.g. the verified signer. */
  provenance: Record<string, unknown>;
}

/** What loading needs besides the config: the registry for `NAME@ALIAS` models, and who hears of a refusal. */
export interface LoadContext {
  registry?: Registry;
  /** Called once with the refused model, the error and what was learned about it (for the audit log). */
  refused?: (name: string, e: unknown, facts: Record<string, unknown>) => void;
}

/**
 * Loads every configured model; with signature.require a model whose signature does not verify is refused,
 * and a registry version is refused unless its gate passes and its digests match.
 */
export async function loadModels(
  config: GatewayConfig,
  lc: LoadContext = {},
): Promise<Map<string, ServedModel>> {
  const out = new Map<string, ServedModel>();
  let current = '';
  const facts: Record<string, unknown> = {};
  try {
    for (const [name, m] of Object.entries(config.models)) {
      current = name;
      for (const k of Object.keys(facts)) delete facts[k];
      out.set(name, await loadModel(name, m, config, lc, facts));
    }
  } catch (e) {
    lc.refused?.(current, e, facts);
    await Promise.all([...out.values()].map((m) => m.backend.close()));
    throw e;
  }
  return out;
}

async function loadModel(
  name: string,
  m: ModelConfig,
  config: GatewayConfig,
  lc: LoadContext,
  facts: Record<string, unknown>,
): Promise<ServedModel> {
  const provenance: Record<string, unknown> = {};
  let backend: Backend;
  if (m.registry) {
    if (!lc.registry)
      throw gatewayError('GATEWAY_CONFIG_INVALID', `model ${name}: no registry to resolve ${m.registry}`);
    const admitted = await admitFromRegistry(lc.registry, m.registry, registryOptions(m, config), facts);
    Object.assign(provenance, admitted.provenance);
    backend = await OnnxBackend.fromBytes(name, admitted.bytes, {
      version: admitted.version,
      threads: m.threads,
    });
  } else if (m.path) {
    const opts = { version: m.version, threads: m.threads };
    if (m.kek || m.path.endsWith(ENCRYPTED_SUFFIX)) {
      const bytes = await decryptModel(name, m.path, m.kek);
      if (config.signature.require)
        Object.assign(provenance, await checkSignature(name, m.path, config, bytes));
      backend = await OnnxBackend.fromBytes(name, bytes, opts);
    } else {
      if (config.signature.require) Object.assign(provenance, await checkSignature(name, m.path, config));
      backend = await OnnxBackend.load(name, m.path, opts);
    }
  } else {
    if (config.signature.require)
      throw gatewayError(
        'GATEWAY_SIGNATURE_INVALID',
        `model ${name}: an upstream model cannot be signature-checked here`,
      );
    const apiKey = m.apiKeyEnv ? process.env[m.apiKeyEnv] : undefined;
    backend = await OipBackend.connect(name, {
      url: m.upstream!,
      ...(m.upstreamModel ? { model: m.upstreamModel } : {}),
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: m.timeoutMs,
    });
  }
  const meta = backend.metadata();
  const first = meta.inputs[0];
  const rowSize = first ? first.shape.slice(1).reduce((a, b) => a * Math.max(1, b), 1) : 0;
  const ext = { ...config.extraction, ...m.extraction };
  const extOptions = { threshold: ext.threshold, minQueries: ext.minQueries, window: ext.window };
  const reference = m.drift ? readReference(name, m.drift.reference, rowSize) : undefined;
  return {
    name,
    backend,
    rules: { maxDim: m.maxDim, ranges: m.ranges },
    output: m.output,
    ...(m.rateLimit ? { rate: m.rateLimit } : {}),
    ...(ext.enabled && m.output.mode !== 'regression'
      ? {
          extraction: {
            detector: new ExtractionDetector(extOptions),
            block: ext.action === 'block',
            options: extOptions,
          },
        }
      : {}),
    ...(m.drift && reference
      ? {
          drift: new DriftMonitor(reference, rowSize, m.drift),
          driftSpec: { reference, options: m.drift },
        }
      : {}),
    rowSize,
    provenance,
  };
}

/** Decrypts an encrypted model into memory; a wrong key or tampered file refuses the model. */
async function decryptModel(name: string, path: string, kek: string | undefined): Promise<Buffer> {
  if (!kek)
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `model ${name} is encrypted (${path}): give its key-encryption key (--kek FILE|env:VAR)`,
    );
  try {
    return await decryptToBuffer(path, keyProviderFromSpec(kek), { maxBytes: MAX_MODEL_BYTES });
  } catch (e) {
    const why = isWardenError(e) ? `${e.code}: ${e.message}` : String(e);
    throw gatewayError('GATEWAY_MODEL_INVALID', `model ${name}: cannot decrypt ${path} (${why})`);
  }
}

function registryOptions(m: ModelConfig, config: GatewayConfig) {
  const { publicKey, certificateChain } = config.signature;
  let trust: { publicKey?: Buffer; certificateChain?: string[] } | undefined;
  try {
    if (publicKey) trust = { publicKey: readFileSync(publicKey) };
    else if (certificateChain?.length)
      trust = { certificateChain: certificateChain.map((f) => readFileSync(f, 'utf8')) };
  } catch (e) {
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `cannot read the signature trust material: ${(e as Error).message}`,
    );
  }
  return {
    requireSignature: config.signature.require,
    ...(m.gate ? { gate: m.gate } : {}),
    ...(trust ? { trust } : {}),
  };
}

async function checkSignature(
  name: string,
  path: string,
  config: GatewayConfig,
  plaintext?: Buffer,
): Promise<Record<string, unknown>> {
  const { publicKey, certificateChain } = config.signature;
  if (!publicKey === !certificateChain?.length)
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      'signature checks need exactly one of a public key and a certificate chain',
    );
  let material: { publicKey?: Buffer; certificateChain?: string[] };
  try {
    material = publicKey
      ? { publicKey: readFileSync(publicKey) }
      : { certificateChain: certificateChain!.map((f) => readFileSync(f, 'utf8')) };
  } catch (e) {
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `cannot read the signature trust material: ${(e as Error).message}`,
    );
  }
  try {
    // an encrypted model is signed as its plaintext, which stays in memory
    const r = plaintext
      ? await verifyModelBytes(plaintext, signaturePathFor(path), material)
      : await verifyModel(path, material);
    return { signer: r.signer, rootDigest: r.rootDigest };
  } catch (e) {
    const why = isWardenError(e) ? `${e.code}: ${e.message}` : String(e);
    throw gatewayError(
      'GATEWAY_SIGNATURE_INVALID',
      `model ${name} refused: signature did not verify (${why})`,
      { cause: e },
    );
  }
}

function readReference(name: string, path: string, rowSize: number): Float64Array {
  let rows: unknown;
  try {
    rows = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `model ${name}: cannot read drift reference ${path}: ${(e as Error).message}`,
    );
  }
  if (!Array.isArray(rows) || rows.length < 10)
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `model ${name}: drift reference must be an array of at least 10 rows`,
    );
  const out = new Float64Array(rows.length * rowSize);
  rows.forEach((r: unknown, i) => {
    if (
      !Array.isArray(r) ||
      r.length !== rowSize ||
      !r.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
      throw gatewayError(
        'GATEWAY_CONFIG_INVALID',
        `model ${name}: drift reference row ${i} is not ${rowSize} finite numbers`,
      );
    out.set(r as number[], i * rowSize);
  });
  return out;
}

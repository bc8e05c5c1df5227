import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { gatewayError } from './errors.js';
import { ROLES } from './rbac.js';

const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'names are 1-64 letters, digits, _ . -');
const Rate = z.strictObject({ rate: z.number().positive(), burst: z.number().min(1) });
const Role = z.enum(ROLES);

const OutputSchema = z.strictObject({
  mode: z.enum(['probabilities', 'top-k', 'label', 'regression']).default('probabilities'),
  decimals: z.int().min(0).max(8).default(4),
  topK: z.int().min(1).max(1000).default(1),
  probabilities: z.boolean().default(false),
});

const ExtractionSchema = z.strictObject({
  enabled: z.boolean().default(true),
  threshold: z.number().min(0).max(1).default(0.9),
  minQueries: z.int().min(20).max(100_000).default(100),
  window: z.int().min(20).max(5000).default(500),
  /** alarm: audit event and metric; block: also refuse the principal's later requests (403). */
  action: z.enum(['alarm', 'block']).default('alarm'),
});

const ModelSchema = z
  .strictObject({
    /** An ONNX file served in this process. */
    path: z.string().min(1).optional(),
    /**
     * Key-encryption key (a key file or env:VAR) for a model encrypted with `warden encrypt`:
     * it is decrypted in memory, never written to disk, and its signature covers the plaintext.
     */
    kek: z.string().min(1).optional(),
    /** Or a registry version, `NAME@ALIAS` or `NAME@N`, admitted only if its gate passes and digests match. */
    registry: z.string().min(3).max(256).optional(),
    /** The gate a registry version must pass (default: its alias, or `production` for `NAME@N`). */
    gate: z.string().min(1).max(64).optional(),
    /** Or an upstream Open Inference Protocol v2 server. */
    upstream: z.url().optional(),
    upstreamModel: z.string().min(1).optional(),
    /** Environment variable holding the upstream's API key. */
    apiKeyEnv: z.string().optional(),
    timeoutMs: z.int().positive().default(30_000),
    version: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/)
      .default('1'),
    threads: z.int().min(1).max(64).default(1),
    output: OutputSchema.default(OutputSchema.parse({})),
    /** Allowed value range per input name. */
    ranges: z
      .record(z.string(), z.strictObject({ min: z.number().optional(), max: z.number().optional() }))
      .default({}),
    /** Largest free (-1) dimension, e.g. the batch (default 64). */
    maxDim: z.int().min(1).max(1_000_000).default(64),
    rateLimit: Rate.optional(),
    extraction: ExtractionSchema.partial().optional(),
    drift: z
      .strictObject({
        /** JSON file: an array of reference input rows (each a flat array of numbers). */
        reference: z.string(),
        window: z.int().min(10).max(100_000).default(500),
        every: z.int().min(1).max(100_000).default(100),
        psiAlarm: z.number().positive().default(0.25),
        ksAlarm: z.number().min(0).max(1).default(0.001),
      })
      .optional(),
  })
  .refine((m) => [m.path, m.upstream, m.registry].filter(Boolean).length === 1, {
    message: 'a model needs exactly one of "path", "upstream" and "registry"',
  });

const JwtSchema = z.strictObject({
  jwksUrl: z.url().optional(),
  jwksFile: z.string().optional(),
  issuer: z.string().min(1),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  roleClaim: z.string().default('roles'),
  principalClaim: z.string().default('sub'),
  roleMap: z.record(z.string(), Role),
  algorithms: z.array(z.string()).optional(),
  clockToleranceSec: z.number().min(0).max(300).default(30),
});

/** The gateway's configuration file (YAML or JSON); command-line flags override its top-level values. */
export const GatewayConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.int().min(0).max(65535).default(8080),
  store: z.string().default('sqlite:warden.db'),
  redis: z.string().optional(),
  tls: z
    .strictObject({
      cert: z.string(),
      key: z.string(),
      /** CA bundle for client certificates: turns on mutual TLS. */
      clientCa: z.string().optional(),
    })
    .optional(),
  auth: z
    .strictObject({
      /** How long a key lookup is cached: the longest a revoked key still passes (default 1000 ms). */
      keyCacheMs: z.int().min(0).max(600_000).default(1000),
      jwt: JwtSchema.optional(),
      /** Client-certificate CN -> role, for callers authenticated by mutual TLS alone. */
      mtlsRoles: z.record(z.string(), Role).optional(),
    })
    .default({ keyCacheMs: 1000 }),
  limits: z
    .strictObject({
      maxBodyBytes: z
        .int()
        .min(1024)
        .max(1 << 30)
        .default(4 * 1024 * 1024),
      maxDepth: z.int().min(2).max(256).default(16),
      perPrincipal: Rate.default({ rate: 200, burst: 400 }),
      perModel: Rate.default({ rate: 5000, burst: 10_000 }),
    })
    .default({
      maxBodyBytes: 4 * 1024 * 1024,
      maxDepth: 16,
      perPrincipal: { rate: 200, burst: 400 },
      perModel: { rate: 5000, burst: 10_000 },
    }),
  extraction: ExtractionSchema.default(ExtractionSchema.parse({})),
  monitors: z
    .strictObject({
      /**
       * Run extraction and drift monitors on their own thread (alarms arrive a few ms after the query).
       * auto: a thread with four or more cores, or when Redis shares the extraction state; inline otherwise,
       * since on two cores handing each query to a thread costs the request thread more than the monitors.
       */
      thread: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      /** With --redis, keep PRADA state in Redis so replicas see a principal's queries together (needs the thread). */
      sharedExtraction: z.boolean().default(true),
    })
    .default({ thread: 'auto', sharedExtraction: true }),
  signature: z
    .strictObject({
      /** Load a model only if its OpenSSF model-signing bundle verifies. */
      require: z.boolean().default(false),
      publicKey: z.string().optional(),
      certificateChain: z.array(z.string()).optional(),
    })
    .default({ require: false }),
  audit: z
    .strictObject({
      batchSize: z.int().min(1).max(10_000).default(500),
      flushMs: z.int().min(1).max(60_000).default(20),
      maxBacklog: z.int().min(100).max(10_000_000).default(100_000),
      /** Hash and write batches on a separate thread with its own store connection. */
      thread: z.boolean().default(true),
    })
    .default({ batchSize: 500, flushMs: 20, maxBacklog: 100_000, thread: true }),
  registry: z
    .strictObject({
      /** Mount the registry's HTTP API under /api/registry (same store, same auth and RBAC). */
      api: z.boolean().default(true),
    })
    .default({ api: true }),
  /**
   * How far `warden serve` lets V8's old generation grow past its live size before a full collection, in
   * percent (100: to twice the live size; 0: V8's own heuristic). Fewer full GCs, more memory.
   */
  heapGrowingPercent: z.int().min(0).max(1000).default(100),
  models: z.record(Name, ModelSchema).default({}),
  /** OpenAI-compatible upstreams, served through the guard at /v1/chat/completions. */
  openai: z
    .record(
      Name,
      z.strictObject({
        url: z.url(),
        apiKeyEnv: z.string().optional(),
        timeoutMs: z.int().positive().default(60_000),
        /** Guard policy file (YAML or JSON); default: the built-in policy. */
        guardPolicy: z.string().optional(),
      }),
    )
    .default({}),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
export type ModelConfig = GatewayConfig['models'][string];

/** Validates a configuration object; errors name the path of each bad field. */
export function parseGatewayConfig(raw: unknown): GatewayConfig {
  const r = GatewayConfigSchema.safeParse(raw ?? {});
  if (!r.success)
    throw gatewayError('GATEWAY_CONFIG_INVALID', `invalid gateway config:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** Reads a YAML or JSON configuration file (at most 1 MiB). */
export function loadGatewayConfigFile(path: string): GatewayConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw gatewayError('GATEWAY_CONFIG_INVALID', `cannot read config ${path}: ${(e as Error).message}`);
  }
  if (text.length > 1 << 20)
    throw gatewayError('GATEWAY_CONFIG_INVALID', `config ${path} is larger than 1 MiB`);
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as GatewayConfigInput;
  } catch (e) {
    throw gatewayError(
      'GATEWAY_CONFIG_INVALID',
      `config ${path} is not valid YAML/JSON: ${(e as Error).message}`,
    );
  }
}

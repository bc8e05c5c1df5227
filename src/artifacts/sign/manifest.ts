import { createHash } from 'node:crypto';
import { signError } from './errors.js';
import { hashJobs, type HashJob, type HashOptions } from './hash.js';
import { PROVENANCE_ANNOTATION, type Provenance } from './provenance.js';
import { comparePaths, modelName, walkModel, type ModelFile } from './walk.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** Predicate of model_signing v0.2 (one subject per file); verified for compatibility only. */
export const PREDICATE_TYPE_V02 = 'https://model_signing/Digests/v0.1';

export interface Serialization {
  method: 'files' | 'shards';
  hash_type: string;
  allow_symlinks: boolean;
  shard_size?: number;
  ignore_paths?: string[];
}

export interface Resource {
  name: string;
  algorithm: string;
  digest: string;
}

/** What a signature covers: the model name, how it was serialized, and every file or shard digest. */
export interface Manifest {
  modelName: string;
  serialization: Serialization;
  /** Sorted by (path components, start, end), the order the root digest is computed in. */
  resources: Resource[];
  /** Lineage carried in the subject's annotations; absent in plain OMS signatures. */
  provenance?: Provenance;
}

export interface BuildOptions extends HashOptions {
  shardSize?: number;
  allowSymlinks?: boolean;
  /** Paths left out of the walk (relative to the model or absolute). */
  ignorePaths?: readonly string[];
  /** Relative ignore paths recorded in the predicate's serialization. */
  recordIgnorePaths?: readonly string[];
}

function shardName(name: string, start: number, end: number): string {
  return `${name}:${start}:${end}`;
}

/** The hashing jobs of a file list: whole files, or [start, end) shards (empty files have none). */
export function jobsFor(files: readonly ModelFile[], shardSize?: number): { name: string; job: HashJob }[] {
  const out: { name: string; job: HashJob }[] = [];
  for (const f of files) {
    if (shardSize === undefined) {
      out.push({ name: f.name, job: { path: f.path, start: 0, end: f.size } });
      continue;
    }
    for (let start = 0; start < f.size; start += shardSize) {
      const end = Math.min(f.size, start + shardSize);
      out.push({ name: shardName(f.name, start, end), job: { path: f.path, start, end } });
    }
  }
  return out;
}

/** Resource order: path components first, then shard start and end as numbers. */
export function compareResources(a: string, b: string): number {
  const pa = splitShard(a);
  const pb = splitShard(b);
  return comparePaths(pa.path, pb.path) || pa.start - pb.start || pa.end - pb.end;
}

function splitShard(name: string): { path: string; start: number; end: number } {
  const m = /^(.*):(\d+):(\d+)$/.exec(name);
  return m ? { path: m[1]!, start: Number(m[2]), end: Number(m[3]) } : { path: name, start: 0, end: 0 };
}

/** SHA-256 over the raw digests in the given order: the statement subject's digest. */
export function rootDigest(resources: readonly Resource[]): string {
  const h = createHash('sha256');
  for (const r of resources) h.update(Buffer.from(r.digest, 'hex'));
  return h.digest('hex');
}

/** Hashes a model into a manifest, as `model_signing sign` serializes it. */
export async function buildManifest(modelPath: string, opts: BuildOptions = {}): Promise<Manifest> {
  const files = await walkModel(modelPath, {
    ignorePaths: opts.ignorePaths,
    allowSymlinks: opts.allowSymlinks,
  });
  if (files.length === 0)
    throw signError('EMPTY_MODEL', `${modelPath} has no regular files to sign`, 'input');
  const jobs = jobsFor(files, opts.shardSize);
  const digests = await hashJobs(
    jobs.map((j) => j.job),
    opts,
  );
  // the reference names shard digests after the shard size (its verifier compares the names too)
  const algorithm = opts.shardSize === undefined ? 'sha256' : `sha256-sharded-${opts.shardSize}`;
  const resources = jobs
    .map((j, i) => ({ name: j.name, algorithm, digest: digests[i]! }))
    .sort((a, b) => compareResources(a.name, b.name));
  const serialization: Serialization = {
    method: opts.shardSize === undefined ? 'files' : 'shards',
    hash_type: 'sha256',
    allow_symlinks: opts.allowSymlinks ?? false,
    ...(opts.shardSize === undefined ? {} : { shard_size: opts.shardSize }),
    ...(opts.recordIgnorePaths?.length ? { ignore_paths: [...opts.recordIgnorePaths].sort() } : {}),
  };
  return { modelName: modelName(modelPath), serialization, resources };
}

/**
 * The in-toto statement as the signed payload: 2-space indented JSON like the reference's
 * protobuf JSON output (the reference's own key order inside the predicate varies run to run).
 */
export function statementJson(m: Manifest): string {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [
      {
        name: m.modelName,
        digest: { sha256: rootDigest(m.resources) },
        ...(m.provenance ? { annotations: { [PROVENANCE_ANNOTATION]: m.provenance } } : {}),
      },
    ],
    predicateType: PREDICATE_TYPE,
    predicate: { serialization: m.serialization, resources: m.resources },
  };
  return JSON.stringify(statement, null, 2);
}

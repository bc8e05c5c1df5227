import { signError } from './errors.js';
import { provenanceFromSubject } from './provenance.js';
import {
  PREDICATE_TYPE,
  PREDICATE_TYPE_V02,
  STATEMENT_TYPE,
  rootDigest,
  type Manifest,
  type Resource,
  type Serialization,
} from './manifest.js';

const bad = (msg: string) => signError('MALFORMED_PAYLOAD', `malformed signed statement: ${msg}`);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX = /^[0-9a-f]+$/;
const ALGORITHMS = ['sha256'];

/**
 * Whether `name` is the shard digest name for `size`: `sha256-sharded-<size>`. The reference keeps the
 * predicate in a protobuf Struct, whose numbers are doubles, so the size may come back written as a float
 * (`1000000.0`); the JSON number itself parses to the same integer.
 */
function isShardName(name: unknown, size: unknown): boolean {
  if (typeof name !== 'string' || typeof size !== 'number') return false;
  const m = /^sha256-sharded-(\d+)(?:\.0+)?$/.exec(name);
  return m !== null && Number(m[1]) === size;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw bad(`unexpected field ${where}.${k}`);
}

function parseSerialization(s: unknown): Serialization {
  if (!isObj(s)) throw bad('predicate.serialization is missing');
  onlyKeys(s, ['method', 'hash_type', 'allow_symlinks', 'shard_size', 'ignore_paths'], 'serialization');
  if (s.method !== 'files' && s.method !== 'shards')
    throw bad(`unknown serialization method ${String(s.method)}`);
  // some reference releases recorded the shard digest name (sha256-sharded-<size>) as hash_type
  const sharded = s.method === 'shards' && isShardName(s.hash_type, s.shard_size);
  if (typeof s.hash_type !== 'string' || !(ALGORITHMS.includes(s.hash_type) || sharded))
    throw bad(`unsupported hash_type ${String(s.hash_type)} (only sha256)`);
  if (typeof s.allow_symlinks !== 'boolean') throw bad('serialization.allow_symlinks must be a boolean');
  const out: Serialization = { method: s.method, hash_type: s.hash_type, allow_symlinks: s.allow_symlinks };
  if (s.method === 'shards') {
    if (typeof s.shard_size !== 'number' || !Number.isSafeInteger(s.shard_size) || s.shard_size <= 0)
      throw bad('shards serialization needs a positive integer shard_size');
    out.shard_size = s.shard_size;
  } else if (s.shard_size !== undefined) throw bad('shard_size is only allowed with method shards');
  if (s.ignore_paths !== undefined) {
    if (!Array.isArray(s.ignore_paths) || !s.ignore_paths.every((p) => typeof p === 'string' && p.length > 0))
      throw bad('serialization.ignore_paths must be a list of paths');
    out.ignore_paths = s.ignore_paths as string[];
  }
  return out;
}

function checkName(name: string, shards: boolean): void {
  let path = name;
  if (shards) {
    const m = /^(.*):(\d+):(\d+)$/.exec(name);
    if (!m || Number(m[2]) >= Number(m[3]))
      throw bad(`shard resource ${JSON.stringify(name)} is not path:start:end`);
    path = m[1]!;
  }
  if (path === '.') return;
  const parts = path.split('/');
  if (path.startsWith('/') || parts.some((p) => p === '..' || p === '' || p === '.') || path.includes('\0'))
    throw bad(`resource name ${JSON.stringify(name)} is not a relative path inside the model`);
}

function parseResource(r: unknown, i: number, ser: Serialization): Resource {
  if (!isObj(r)) throw bad(`resources[${i}] is not an object`);
  const { name, algorithm, digest } = r;
  if (typeof name !== 'string' || name.length === 0) throw bad(`resources[${i}].name is missing`);
  checkName(name, ser.method === 'shards');
  // the reference has written shard digests as sha256 and as sha256-sharded-<size>
  const okAlgo =
    algorithm === ser.hash_type ||
    algorithm === 'sha256' ||
    (ser.method === 'shards' && isShardName(algorithm, ser.shard_size));
  if (typeof algorithm !== 'string' || !okAlgo)
    throw bad(`resources[${i}].algorithm ${String(algorithm)} is not ${ser.hash_type}`);
  if (typeof digest !== 'string' || !HEX.test(digest) || digest.length !== 64)
    throw bad(`resources[${i}].digest must be 64 lowercase hex digits`);
  return { name, algorithm, digest };
}

/** Decodes the signed in-toto statement into the manifest it commits to, checking every field. */
export function parseStatement(payload: Buffer): Manifest {
  let st: unknown;
  try {
    st = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw bad(`payload is not JSON (${(e as Error).message})`);
  }
  if (!isObj(st)) throw bad('payload is not a JSON object');
  if (st._type !== STATEMENT_TYPE) throw bad(`_type must be ${STATEMENT_TYPE}`);
  if (!Array.isArray(st.subject) || st.subject.length === 0) throw bad('subject is missing');
  if (st.predicateType === PREDICATE_TYPE_V02) return parseV02(st.subject);
  if (st.predicateType !== PREDICATE_TYPE)
    throw bad(`predicateType ${String(st.predicateType)} is not ${PREDICATE_TYPE}`);
  onlyKeys(st, ['_type', 'subject', 'predicateType', 'predicate'], 'statement');
  if (st.subject.length !== 1) throw bad('expected exactly one subject');
  const subj: unknown = st.subject[0];
  if (
    !isObj(subj) ||
    typeof subj.name !== 'string' ||
    !isObj(subj.digest) ||
    typeof subj.digest.sha256 !== 'string'
  )
    throw bad('subject needs a name and a sha256 digest');
  const pred = st.predicate;
  if (!isObj(pred)) throw bad('predicate is missing');
  onlyKeys(pred, ['serialization', 'resources'], 'predicate');
  const serialization = parseSerialization(pred.serialization);
  if (!Array.isArray(pred.resources)) throw bad('predicate.resources is missing');
  const resources = pred.resources.map((r, i) => parseResource(r, i, serialization));
  const names = new Set(resources.map((r) => r.name));
  if (names.size !== resources.length) throw bad('duplicate resource names');
  // the root digest is over the resources in the order listed, as the reference checks it
  const root = rootDigest(resources);
  if (root !== subj.digest.sha256)
    throw bad(`subject digest ${subj.digest.sha256} does not match the resources (${root})`);
  const provenance = provenanceFromSubject(subj);
  return { modelName: subj.name, serialization, resources, ...(provenance ? { provenance } : {}) };
}

/** model_signing v0.2: one subject per file, no serialization section. */
function parseV02(subjects: unknown[]): Manifest {
  const serialization: Serialization = { method: 'files', hash_type: 'sha256', allow_symlinks: false };
  const resources = subjects.map((s, i) => {
    if (!isObj(s) || !isObj(s.digest)) throw bad(`subject[${i}] is malformed`);
    return parseResource({ name: s.name, algorithm: 'sha256', digest: s.digest.sha256 }, i, serialization);
  });
  return { modelName: 'compat-undefined-not-present', serialization, resources };
}

import type { Dialect, Migration } from '../core/store/index.js';

/** The migration domain of the registry in `warden_migrations`. */
export const MIGRATION_DOMAIN = 'registry';

const ID: Record<Dialect, string> = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

// One schema text for both dialects; only the generated id column differs. Timestamps are ISO-8601 text
// and JSON is text, so both stores hold and return the same values.
function v1(d: Dialect): string {
  const id = ID[d];
  return `
CREATE TABLE registry_models (
  id ${id},
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  latest_version INTEGER NOT NULL DEFAULT 0,
  version_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE registry_versions (
  id ${id},
  model_id BIGINT NOT NULL REFERENCES registry_models (id),
  version INTEGER NOT NULL,
  digest TEXT NOT NULL,
  format TEXT NOT NULL,
  uri TEXT NOT NULL,
  size BIGINT NOT NULL,
  file_count INTEGER NOT NULL,
  signature TEXT,
  signer TEXT,
  signed_digest TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  evidence_digest TEXT NOT NULL,
  evidence_count INTEGER NOT NULL DEFAULT 0,
  meta TEXT NOT NULL,
  UNIQUE (model_id, version),
  UNIQUE (model_id, digest)
);
CREATE INDEX registry_versions_digest ON registry_versions (digest);
CREATE TABLE registry_files (
  version_id BIGINT NOT NULL REFERENCES registry_versions (id),
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  size BIGINT NOT NULL,
  format TEXT NOT NULL,
  PRIMARY KEY (version_id, name)
);
CREATE TABLE registry_datasets (
  id ${id},
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  uri TEXT NOT NULL,
  size BIGINT NOT NULL,
  format TEXT NOT NULL,
  schema_json TEXT,
  pii_json TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (name, digest)
);
CREATE TABLE registry_lineage (
  id ${id},
  src_id BIGINT NOT NULL REFERENCES registry_versions (id),
  relation TEXT NOT NULL,
  dst_kind TEXT NOT NULL,
  dst_id BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (src_id, relation, dst_kind, dst_id)
);
CREATE INDEX registry_lineage_dst ON registry_lineage (dst_kind, dst_id);
CREATE TABLE registry_evidence (
  id ${id},
  version_id BIGINT NOT NULL REFERENCES registry_versions (id),
  kind TEXT NOT NULL,
  digest TEXT NOT NULL,
  verdict TEXT NOT NULL,
  facts TEXT NOT NULL,
  subject_digest TEXT,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  UNIQUE (version_id, digest)
);
CREATE INDEX registry_evidence_kind ON registry_evidence (version_id, kind, id);
CREATE TABLE registry_evidence_bodies (
  evidence_id BIGINT PRIMARY KEY REFERENCES registry_evidence (id),
  body TEXT NOT NULL
);
CREATE TABLE registry_approvals (
  id ${id},
  version_id BIGINT NOT NULL REFERENCES registry_versions (id),
  principal TEXT NOT NULL,
  role TEXT NOT NULL,
  evidence_digest TEXT NOT NULL,
  comment TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (version_id, principal, evidence_digest)
);
CREATE TABLE registry_aliases (
  model_id BIGINT NOT NULL REFERENCES registry_models (id),
  alias TEXT NOT NULL,
  version_id BIGINT NOT NULL REFERENCES registry_versions (id),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (model_id, alias)
);
CREATE INDEX registry_aliases_version ON registry_aliases (version_id);
CREATE TABLE registry_policies (
  id ${id},
  digest TEXT NOT NULL,
  policy TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE registry_audit (
  seq BIGINT PRIMARY KEY,
  ts TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE registry_audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
`;
}

/** The registry's migrations, applied through the shared store layer (`store.migrate`). */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'registry', sql: { sqlite: v1('sqlite'), postgres: v1('postgres') } },
];

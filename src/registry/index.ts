export * from './errors.js';
export * from './types.js';
export * from './principal.js';
export * from './refs.js';
export {
  canonicalJson,
  normalizeEvidence,
  parseEvidenceText,
  ReportSchema,
  MAX_EVIDENCE_BYTES,
  type EvidenceAdapter,
  type EvidenceFacts,
  type NormalizedEvidence,
} from './evidence.js';
export { EVIDENCE_ADAPTERS } from './adapters.js';
export * from './policy.js';
export * from './gate.js';
export {
  verifyAudit,
  recordHash as registryRecordHash,
  type AuditEvent as RegistryAuditEvent,
  type AuditRecord as RegistryAuditRecord,
  type AuditVerdict,
} from './audit.js';
export { renderLineageTree, type LineageDirection, type LineageOptions } from './lineage.js';
export { REGISTRY_MIGRATIONS, MIGRATION_DOMAIN } from './schema.js';
export { Registry, REGISTRY_LOCK, type PageOptions } from './registry.js';
export * from './register.js';
export * from './dataset.js';
export {
  renderAuditVerdict,
  renderDatasets,
  renderGate,
  renderModels,
  renderPromote,
  renderVersion,
  renderVersions,
  columns as renderColumns,
} from './render.js';
export * from './http.js';

import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the registry domain; core/http.ts maps them to statuses, cli/exit.ts to exit codes. */
export type RegistryErrorCode =
  /** A model, version, dataset or alias that does not exist (HTTP 404). */
  | 'REGISTRY_NOT_FOUND'
  /** A reference such as `NAME@3` or `NAME@production`, or a name or alias, is malformed. */
  | 'REGISTRY_REF_INVALID'
  /** The same artifact (digest) is already registered under this model (HTTP 409). */
  | 'REGISTRY_DUPLICATE'
  /** The alias moved since the caller looked (`expect` given and not met) (HTTP 409). */
  | 'REGISTRY_CONFLICT'
  /** An evidence report is not a Warden report, or does not describe this version. */
  | 'REGISTRY_EVIDENCE_INVALID'
  /** An evidence report is larger than the registry stores (HTTP 413). */
  | 'REGISTRY_EVIDENCE_TOO_LARGE'
  /** A promotion policy does not validate. */
  | 'REGISTRY_POLICY_INVALID'
  /** A promotion gate refused the version (HTTP 409); the result lists the unmet clauses. */
  | 'REGISTRY_GATE_FAILED'
  /** The version's author tried to approve it (HTTP 403). */
  | 'REGISTRY_SELF_APPROVAL'
  /** The principal lacks the permission or the role it acts in (HTTP 403). */
  | 'REGISTRY_FORBIDDEN'
  /** A model signature is present and does not verify, or was not checked. */
  | 'REGISTRY_SIGNATURE_INVALID'
  /** Files on disk differ from the digests the registry recorded for the version. */
  | 'REGISTRY_ARTIFACT_MISMATCH'
  /** A data set file cannot be read or described. */
  | 'REGISTRY_DATASET_INVALID';

export type RegistryError = WardenError<RegistryErrorCode>;

const KIND: Partial<Record<RegistryErrorCode, ErrorKind>> = {
  REGISTRY_REF_INVALID: 'usage',
  REGISTRY_POLICY_INVALID: 'usage',
  REGISTRY_EVIDENCE_TOO_LARGE: 'limit',
};

export function registryError(code: RegistryErrorCode, message: string, cause?: unknown): RegistryError {
  return new WardenError(code, message, { kind: KIND[code] ?? 'input', cause });
}

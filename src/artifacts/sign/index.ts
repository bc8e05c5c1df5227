export * from './errors.js';
export { CURVES, generateKeyPair, keyHint, type Curve } from './keys.js';
export { parseBundle, pae, BUNDLE_MEDIA_TYPE, type Bundle, type MaterialKind } from './bundle.js';
export { parseStatement } from './payload.js';
export {
  buildManifest,
  rootDigest,
  statementJson,
  type Manifest,
  type Resource,
  type Serialization,
} from './manifest.js';
export { signModel, DEFAULT_SIGNATURE, type SignOptions, type SignResult } from './sign.js';
export {
  signModelKeyless,
  checkIdentityToken,
  IDENTITY_TOKEN_ENV,
  type KeylessSignOptions,
} from './keyless.js';
export {
  verifySigstoreBundle,
  loadTrustMaterial,
  DEFAULT_TRUSTED_ROOT,
  type SigstoreIdentity,
  type SigstoreSigner,
} from './sigstore.js';
export {
  inspectModel,
  verifyModel,
  verifyBundleSignature,
  type VerifyOptions,
  type VerifyOutcome,
  type VerifyResult,
} from './verify.js';
export { verifyModelBytes } from './verify-bytes.js';
export type { VerifyFailure } from './check.js';
export { verifyReport, type VerifyReport } from './report.js';
export {
  PROVENANCE_ANNOTATION,
  ProvenanceSchema,
  normalizeSha256,
  parseProvenance,
  scanReportEntry,
  type Provenance,
} from './provenance.js';
export { digestModel, type DigestOptions } from './digest.js';

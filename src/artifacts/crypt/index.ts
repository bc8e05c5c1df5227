export * from './errors.js';
export {
  KEK_BYTES,
  LocalKeyProvider,
  createKekFile,
  kekId,
  keyProviderFromSpec,
  parseKek,
  type KeyProvider,
} from './keys.js';
export {
  DEFAULT_CHUNK,
  MAX_CHUNK,
  MIN_CHUNK,
  decodeHeader as decodeEncryptedHeader,
  type EncryptedHeader,
} from './format.js';
export { decryptChunks, encryptChunks, type CryptSource, type EncryptOptions } from './stream.js';
export {
  ENCRYPTED_SUFFIX,
  decryptPath,
  decryptStream,
  decryptToBuffer,
  encryptPath,
  type CryptResult,
  type PathOptions,
} from './files.js';

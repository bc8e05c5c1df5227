export { onnxScanner, detectOnnx } from './scanner.js';
export { OnnxWalker } from './walker.js';
export { STANDARD_DOMAINS, DATA_TYPE_BITS, checkExternalLocation } from './schema.js';

export { ggufScanner, detectGguf } from './scanner.js';
export { GgufReader, type GgufHeader, type GgufKv, type GgufTensorInfo } from './reader.js';
export { GGML_TYPES, GgufType, GGUF_LIMITS } from './types.js';

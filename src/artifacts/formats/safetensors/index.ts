export { safetensorsScanner, detectSafetensors, MAX_HEADER_BYTES } from './scanner.js';
export { validateHeader, DTYPE_BITS, type HeaderReport, type HeaderProblem } from './header.js';

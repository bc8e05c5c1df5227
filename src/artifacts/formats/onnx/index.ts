import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const onnxScanner: Scanner = { format: 'onnx', detect: () => false, scan: () => {} };

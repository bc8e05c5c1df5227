import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const ggufScanner: Scanner = { format: 'gguf', detect: () => false, scan: () => {} };

import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const safetensorsScanner: Scanner = { format: 'safetensors', detect: () => false, scan: () => {} };

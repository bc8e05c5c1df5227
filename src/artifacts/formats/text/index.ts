import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const jsonScanner: Scanner = { format: 'json', detect: () => false, scan: () => {} };
export const templateScanner: Scanner = { format: 'template', detect: () => false, scan: () => {} };

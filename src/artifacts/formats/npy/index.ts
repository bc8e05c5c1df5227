import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const npyScanner: Scanner = { format: 'npy', detect: () => false, scan: () => {} };

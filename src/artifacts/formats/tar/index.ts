import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const tarScanner: Scanner = { format: 'tar', detect: () => false, scan: () => {} };

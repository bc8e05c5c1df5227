import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const zipScanner: Scanner = { format: 'zip', detect: () => false, scan: () => {} };

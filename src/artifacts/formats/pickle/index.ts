import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const pickleScanner: Scanner = { format: 'pickle', detect: () => false, scan: () => {} };

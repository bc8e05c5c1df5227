import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const savedModelScanner: Scanner = { format: 'savedmodel', detect: () => false, scan: () => {} };

import type { Scanner } from '../../scan/types.js';

// placeholder until this format's scanner lands
export const compressedScanner: Scanner = { format: 'compressed', detect: () => false, scan: () => {} };
export const unscannableArchiveScanner: Scanner = { format: 'archive', detect: () => false, scan: () => {} };

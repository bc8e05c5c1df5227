export { compressedScanner } from './scanner.js';
export { unscannableArchiveScanner, detectUnscannable } from './archive.js';
export { detectCompression, type CompressionKind } from './detect.js';
export { Spool, OutputCapReached } from './spool.js';

export { compressedScanner } from './scanner.js';
export { unscannableArchiveScanner, detectUnscannable } from './archive.js';
export { detectCompression, type CompressionKind } from './detect.js';
export { Spool, WindowSource, OutputCapReached } from './spool.js';

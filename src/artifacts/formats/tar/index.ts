export { tarScanner } from './scanner.js';
export { detectTar } from './header.js';

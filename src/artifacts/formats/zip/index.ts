export { zipScanner } from './scanner.js';
export { detectZip } from './detect.js';
export { BOMB_RATIO, BOMB_RATIO_MIN_OUTPUT } from './inflate.js';

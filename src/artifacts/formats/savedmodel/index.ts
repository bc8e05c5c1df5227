export { savedModelScanner, detectSavedModel } from './scanner.js';
export { OP_RULES, type OpRule } from './ops.js';

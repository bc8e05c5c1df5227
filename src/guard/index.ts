export * from './types.js';
export * from './errors.js';
export * from './policy.js';
export * from './pipeline.js';
export * from './vault.js';
export * from './spans.js';
export { DETECTORS, findDetector } from './detectors/index.js';
export * from './server/index.js';
export * from './report.js';

export * from './errors.js';
export * from './scan/types.js';
export * from './scan/policy.js';
export * from './scan/engine.js';
export * from './scan/registry.js';
export * from './scan/scan.js';
export { expandPaths } from './scan/walk.js';
export * from './samples/index.js';

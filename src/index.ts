export * from './core/index.js';
export * from './artifacts/index.js';
export * from './report/index.js';
export * from './guard/index.js';
export * from './privacy/index.js';
export * from './registry/index.js';
export * from './redteam/index.js';
export * from './posture/index.js';

export * from './chain.js';
export * from './log.js';
export * from './verify.js';

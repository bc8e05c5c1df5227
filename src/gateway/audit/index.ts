export * from './chain.js';
export * from './log.js';
export * from './verify.js';
export { workerWriter, inlineWriter, type AuditWriter } from './writer.js';

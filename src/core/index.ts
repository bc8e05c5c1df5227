export * from './errors.js';
export * from './finding.js';
export * from './report.js';
export * from './io.js';
export * from './version.js';
export * from './refs.js';
export * from './random.js';
export * from './tabular/index.js';

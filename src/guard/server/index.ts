export * from './lines.js';
export * from './pool.js';
export * from './schemas.js';
export * from './handler.js';
export * from './proxy.js';
export * from './upstream.js';
export * from './stream.js';
export * from './sse.js';

export * from './transforms.js';
export * from './trades.js';

export * from './csv.js';
export * from './table.js';

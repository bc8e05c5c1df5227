export * from './csv.js';
export * from './table.js';
export { streamParquet, type ParquetSource } from './parquet.js';

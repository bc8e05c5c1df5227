export * from './errors.js';
export {
  convertCheckpoint,
  prepareConversion,
  defaultOutput,
  REFUSE_AT,
  type ConvertOptions,
  type ConvertResult,
  type PreparedConversion,
} from './convert.js';
export {
  readTorchPickle,
  STORAGE_DTYPES,
  TORCH_DTYPES,
  type DType,
  type FlatCheckpoint,
} from './torch-pickle.js';
export {
  convertSharded,
  isShardIndex,
  SAFETENSORS_INDEX,
  type ShardedOptions,
  type ShardedResult,
} from './sharded.js';

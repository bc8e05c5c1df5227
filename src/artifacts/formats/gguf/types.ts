/**
 * Constants of the GGUF container (llama.cpp / ggml): metadata value types and the block layout
 * of every ggml tensor type, used to compute how many bytes a tensor occupies.
 */

export const GGUF_MAGIC = 0x46554747; // 'GGUF' read as u32 LE

/** Metadata value type ids. */
export const GgufType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** Byte size of each fixed-size metadata value type (STRING and ARRAY are variable). */
export const FIXED_VALUE_SIZE: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

/** Layout of a ggml tensor type: elements per block and bytes per block. */
export interface GgmlTypeInfo {
  name: string;
  blockSize: number;
  typeSize: number;
}

const K = 256; // QK_K super-block size

/** ggml tensor types by id (removed ids are absent and reported as unknown). */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map<number, GgmlTypeInfo>(
  (
    [
      [0, 'F32', 1, 4],
      [1, 'F16', 1, 2],
      [2, 'Q4_0', 32, 18],
      [3, 'Q4_1', 32, 20],
      [6, 'Q5_0', 32, 22],
      [7, 'Q5_1', 32, 24],
      [8, 'Q8_0', 32, 34],
      [9, 'Q8_1', 32, 36],
      [10, 'Q2_K', K, 84],
      [11, 'Q3_K', K, 110],
      [12, 'Q4_K', K, 144],
      [13, 'Q5_K', K, 176],
      [14, 'Q6_K', K, 210],
      [15, 'Q8_K', K, 292],
      [16, 'IQ2_XXS', K, 66],
      [17, 'IQ2_XS', K, 74],
      [18, 'IQ3_XXS', K, 98],
      [19, 'IQ1_S', K, 50],
      [20, 'IQ4_NL', 32, 18],
      [21, 'IQ3_S', K, 110],
      [22, 'IQ2_S', K, 82],
      [23, 'IQ4_XS', K, 136],
      [24, 'I8', 1, 1],
      [25, 'I16', 1, 2],
      [26, 'I32', 1, 4],
      [27, 'I64', 1, 8],
      [28, 'F64', 1, 8],
      [29, 'IQ1_M', K, 56],
      [30, 'BF16', 1, 2],
      [34, 'TQ1_0', K, 54],
      [35, 'TQ2_0', K, 66],
      [39, 'MXFP4', 32, 17],
    ] as const
  ).map(([id, name, blockSize, typeSize]) => [id, { name, blockSize, typeSize }]),
);

/** Bounds on what a GGUF header may declare before the scanner gives up on it. */
export const GGUF_LIMITS = {
  maxTensors: 1_000_000,
  maxKv: 100_000,
  maxKeyBytes: 65_536,
  maxTensorNameBytes: 65_536,
  maxDims: 8,
  /** ggml's GGML_MAX_DIMS: more dimensions are rejected by llama.cpp. */
  loaderMaxDims: 4,
  maxArrayDepth: 4,
  maxArrayLength: 2 ** 40,
  /** Strings kept in memory (templates, names); longer ones are skipped. */
  maxKeptString: 16 * 1024 * 1024,
} as const;

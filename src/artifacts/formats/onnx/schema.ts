/**
 * Field numbers of the onnx.proto messages the scanner walks (ONNX IR up to version 11), and the
 * facts its checks need: element sizes of tensor data types and the operator domains served by
 * ONNX itself or built into ONNX Runtime (anything else needs a custom-op library, i.e. native
 * code loaded next to the model).
 */

export const Model = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
  trainingInfo: 20,
  functions: 25,
} as const;

export const Graph = { node: 1, name: 2, initializer: 5, sparseInitializer: 15 } as const;
export const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
export const Attribute = {
  name: 1,
  t: 5,
  g: 6,
  tensors: 10,
  graphs: 11,
  sparseTensor: 22,
  sparseTensors: 23,
} as const;
export const Tensor = {
  dims: 1,
  dataType: 2,
  name: 8,
  rawData: 9,
  externalData: 13,
  dataLocation: 14,
} as const;
export const SparseTensor = { values: 1, indices: 2 } as const;
export const StringEntry = { key: 1, value: 2 } as const;
export const OpsetId = { domain: 1, version: 2 } as const;
export const TrainingInfo = { initialization: 1, algorithm: 2 } as const;
export const FunctionProto = { name: 1, node: 7, opsetImport: 9, domain: 10 } as const;

/** Bits per element by TensorProto.DataType (STRING and UNDEFINED are absent). */
export const DATA_TYPE_BITS: ReadonlyMap<number, number> = new Map([
  [1, 32],
  [2, 8],
  [3, 8],
  [4, 16],
  [5, 16],
  [6, 32],
  [7, 64],
  [9, 8],
  [10, 16],
  [11, 64],
  [12, 32],
  [13, 64],
  [14, 64],
  [15, 128],
  [16, 16],
  [17, 8],
  [18, 8],
  [19, 8],
  [20, 8],
  [21, 4],
  [22, 4],
  [23, 4],
  [24, 8],
  [25, 2],
  [26, 2],
]);

/** Operator domains implemented by ONNX / ONNX Runtime without extra libraries. */
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'com.microsoft.dml',
  'com.ms.internal.nhwc',
]);

/** Operator types that call back into a Python interpreter. */
export const PYTHON_OP = /^(?:py(?:thon)?(?:op|func|function)\w*|pyop\w*)$/i;

/**
 * External-data `location` rules: the spec requires a POSIX path relative to the model's directory;
 * absolute paths, `..` segments, URLs, NUL bytes, Windows drive/UNC paths and `~` escape it.
 */
/** Returns why a location escapes the model directory, or null when it is a plain relative path. */
export function checkExternalLocation(location: string): string | null {
  if (location.includes('\0')) return 'it contains a NUL byte';
  if (/^[a-z][a-z0-9+.-]+:/i.test(location)) return 'it is a URL';
  if (location.startsWith('/')) return 'it is an absolute path';
  if (/^[a-z]:[\\/]?/i.test(location)) return 'it is a Windows drive path';
  if (location.startsWith('\\')) return 'it is a Windows rooted or UNC path';
  if (location.startsWith('~')) return 'it refers to a home directory';
  if (location.split(/[\\/]+/).includes('..')) return "it climbs out with '..'";
  return null;
}

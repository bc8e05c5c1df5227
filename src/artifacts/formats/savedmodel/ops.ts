import type { Severity } from '../../../core/index.js';

/**
 * TensorFlow ops that matter when a graph comes from an untrusted SavedModel, with the severity
 * of finding one. Choices:
 * - PyFunc / PyFuncStateless / EagerPyFunc call a Python function by token: code execution
 *   (critical).
 * - ReadFile / WriteFile read or write any path the process can reach (high).
 * - Filesystem enumeration, dataset readers/writers, summary writers and memory-mapped constants
 *   touch files named in the graph, legitimately in training pipelines but not in a served model
 *   (medium).
 * - Save / SaveV2 / Restore* / MergeV2Checkpoints are the checkpoint plumbing every SavedModel
 *   carries in its saver graph, so they produce no finding.
 * - PrintV2 is only flagged when its output_stream attribute writes to a file (high).
 */

/** Why an op is flagged and how badly. */
export interface OpRule {
  severity: Severity;
  reason: string;
}

const PY: OpRule = {
  severity: 'critical',
  reason: 'calls a Python function registered in the loading process (arbitrary code)',
};
const FILE_RW: OpRule = { severity: 'high', reason: 'reads or writes arbitrary files at graph run time' };
const FS_LIST: OpRule = { severity: 'medium', reason: 'enumerates the filesystem' };
const DATA_READ: OpRule = { severity: 'medium', reason: 'reads records from files named in the graph' };
const DATA_WRITE: OpRule = { severity: 'medium', reason: 'writes files from inside the graph' };
const MMAP: OpRule = { severity: 'medium', reason: 'memory-maps a file region named in the graph' };
const DEBUG: OpRule = { severity: 'medium', reason: 'sends tensors to debug URLs (file:// or grpc://)' };

export const OP_RULES: ReadonlyMap<string, OpRule> = new Map<string, OpRule>([
  ['PyFunc', PY],
  ['PyFuncStateless', PY],
  ['EagerPyFunc', PY],
  ['ReadFile', FILE_RW],
  ['WriteFile', FILE_RW],
  ['MatchingFiles', FS_LIST],
  ['MatchingFilesDataset', FS_LIST],
  ['ImmutableConst', MMAP],
  ['TFRecordDataset', DATA_READ],
  ['TFRecordDatasetV2', DATA_READ],
  ['TextLineDataset', DATA_READ],
  ['FixedLengthRecordDataset', DATA_READ],
  ['FixedLengthRecordDatasetV2', DATA_READ],
  ['LMDBDataset', DATA_READ],
  ['ExperimentalLMDBDataset', DATA_READ],
  ['SqlDataset', DATA_READ],
  ['ExperimentalSqlDataset', DATA_READ],
  ['CSVDataset', DATA_READ],
  ['CSVDatasetV2', DATA_READ],
  ['ExperimentalCSVDataset', DATA_READ],
  ['LoadDataset', DATA_READ],
  ['SaveDataset', DATA_WRITE],
  ['SaveDatasetV2', DATA_WRITE],
  ['SnapshotDataset', DATA_WRITE],
  ['SnapshotDatasetV2', DATA_WRITE],
  ['DatasetToTFRecord', DATA_WRITE],
  ['ExperimentalDatasetToTFRecord', DATA_WRITE],
  ['CreateSummaryFileWriter', DATA_WRITE],
  ['CreateSummaryDbWriter', DATA_WRITE],
  ['DebugIdentity', DEBUG],
  ['DebugIdentityV2', DEBUG],
  ['DebugNanCount', DEBUG],
  ['DebugNumericSummary', DEBUG],
]);

/** PrintV2 writing to a file (output_stream 'file://…'). */
export const PRINT_TO_FILE: OpRule = {
  severity: 'high',
  reason: 'prints tensors into a file path chosen by the graph',
};

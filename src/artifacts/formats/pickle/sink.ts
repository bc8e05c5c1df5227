/** The interface between the VM and whoever consumes its observations (the scanner, tests). */
import type { Severity } from '../../../core/index.js';
import type { BytesValue, GlobalRef } from './values.js';

/** One observation of the VM that the scanner turns into a finding. */
export interface VmFinding {
  id: string;
  severity: Severity;
  title: string;
  detail: string;
  offset: number;
  /** Repeats with the same id and key are reported once per stream. */
  key?: string;
}

/** Receives what the VM learns while it runs; the scanner classifies and reports it. */
export interface VmSink {
  /** An import of a global by GLOBAL, STACK_GLOBAL or INST (called for every import). */
  onImport(ref: GlobalRef): void;
  onFinding(f: VmFinding): void;
  /** A constant byte string handed to a deserializer (pickle.loads...): scan it as nested content. */
  onNested(loader: string, bytes: BytesValue, offset: number, format: 'pickle' | undefined): void;
}

/** Behaviour switches of one VM run. */
export interface VmOptions {
  /** Recognise joblib NumpyArrayWrapper and skip the raw array bytes after it. */
  joblib: boolean;
  /** Called every 64K opcodes; throws TIMEOUT when the scan's budget is spent. */
  tick(): void;
}

import type { ByteSource, Finding, Refs, Severity } from '../../core/index.js';

/** Bounds on work per scanned file; every parser of untrusted bytes honours them. */
export interface ScanLimits {
  /** Nesting of containers (zip in zip, pickle in pickle.loads, compression wrappers). */
  maxDepth: number;
  /** Largest archive member or decompressed stream that is inflated for scanning. */
  maxInflateBytes: number;
  /** Largest JSON/text/metadata blob read into memory (configs, safetensors headers, templates). */
  maxTextBytes: number;
  /** Members per archive. */
  maxMembers: number;
  /** Wall-clock budget per top-level file. */
  timeoutMs: number;
  /** Findings kept per top-level file (the rest are counted). */
  maxFindings: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxDepth: 8,
  maxInflateBytes: 4 * 1024 ** 3,
  maxTextBytes: 64 * 1024 ** 2,
  maxMembers: 100_000,
  timeoutMs: 120_000,
  maxFindings: 1_000,
};

/** What the policy says about one imported global. */
export interface GlobalVerdict {
  /** allow: known safe; deny: known dangerous; unknown: neither list names it. */
  rule: 'allow' | 'deny' | 'unknown';
  severity: Severity | null;
  reason: string;
}

/** Decides whether a pickle global (module, qualified name) may be imported. */
export interface Policy {
  readonly strict: boolean;
  classify(module: string, name: string): GlobalVerdict;
}

/** A finding as a scanner emits it; the engine fills detector, refs and location defaults. */
export type FindingInput = Omit<Finding, 'refs' | 'detector'> & { detector?: string; refs?: Refs };

/** What a scanner gets for one stream: where it is, the policy, the limits, and a way to recurse. */
export interface ScanContext {
  /** Display path of the top-level file. */
  readonly path: string;
  /** Chain of archive members leading to this stream, joined by '!' ('' at top level). */
  readonly member: string;
  readonly depth: number;
  readonly policy: Policy;
  readonly limits: ScanLimits;
  emit(finding: FindingInput): void;
  /**
   * Scans a member or decoded payload with format detection, one level deeper. `speculative`: the
   * bytes were only guessed to be a format (e.g. a raw tensor member that happens to start like a
   * pickle), so a parse error there is counted, not reported as an error of the file.
   */
  scanNested(name: string, src: ByteSource, opts?: { format?: string; speculative?: boolean }): Promise<void>;
  /** Throws TIMEOUT once the file's time budget is spent; call in long loops. */
  checkDeadline(): void;
  /** Records a metric for the report (summed across files). */
  metric(name: string, value: number): void;
}

/** A container or model format: recognises its magic bytes and scans without executing. */
export interface Scanner {
  readonly format: string;
  /** Looks only at the first bytes (up to 4 KiB) and the total size. */
  detect(head: Buffer, size: number): boolean;
  scan(src: ByteSource, ctx: ScanContext): Promise<void> | void;
}

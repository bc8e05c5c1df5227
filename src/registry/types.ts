import type { Report, Severity } from '../core/index.js';
import type { GateResult } from './gate.js';

/** Lineage relations: a version to the version it came from, or to a data set. */
export const VERSION_RELATIONS = ['fine_tuned_from', 'converted_from'] as const;
export const DATASET_RELATIONS = ['trained_on', 'evaluated_on'] as const;
export const LINEAGE_RELATIONS = [...VERSION_RELATIONS, ...DATASET_RELATIONS] as const;
export type LineageRelation = (typeof LINEAGE_RELATIONS)[number];

/** One file of a registered artifact. */
export interface ArtifactFile {
  /** Path relative to the model (`.`-free; the file name for a one-file model). */
  name: string;
  /** `sha256:HEX`. */
  digest: string;
  size: number;
  /** Container format detected from the bytes (safetensors, onnx, pytorch-zip...), `unknown` otherwise. */
  format: string;
}

/** What `registerVersion` stores: the artifact as already digested and, if signed, verified. */
export interface NewVersion {
  name: string;
  /** Root digest over the files, as `warden digest`/OMS computes it: `sha256:HEX`. */
  digest: string;
  format: string;
  /** Where the artifact was registered from (a path or URL); the gateway loads it from there. */
  uri: string;
  files: ArtifactFile[];
  /**
   * The OMS bundle (JSON text), who signed it and the root digest it covers (equal to `digest` unless the
   * signature hashed shards), only when it verified against the files.
   */
  signature?: { bundle: string; signer: string; digest: string };
  meta?: Record<string, string>;
  /** Versions this one came from (`NAME@N`, `NAME@alias`). */
  parents?: { ref: string; relation: (typeof VERSION_RELATIONS)[number] }[];
  /** Data sets this one was trained or evaluated on (`NAME` or `NAME@sha256:PREFIX`). */
  datasets?: { ref: string; relation: (typeof DATASET_RELATIONS)[number] }[];
}

/** A model and what it holds. */
export interface ModelSummary {
  name: string;
  versions: number;
  latest: number;
  aliases: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

/** One version as lists show it. */
export interface VersionInfo {
  ref: string;
  name: string;
  version: number;
  digest: string;
  format: string;
  uri: string;
  size: number;
  fileCount: number;
  signer: string | null;
  createdAt: string;
  createdBy: string;
  /** Digest over the evidence attached so far; approvals record it and expire when it changes. */
  evidenceDigest: string;
  evidenceCount: number;
  /** Approvals that saw the current evidence. */
  approvals: number;
  aliases: string[];
  meta: Record<string, string>;
}

/** One piece of evidence without its report body. */
export interface EvidenceSummary {
  id: number;
  kind: string;
  verdict: Report['verdict'];
  digest: string;
  subjectDigest: string | null;
  addedAt: string;
  addedBy: string;
  metrics: Record<string, number>;
  labels: Record<string, string>;
  findings: Record<Severity | 'total', number>;
}

export interface ApprovalInfo {
  principal: string;
  role: string;
  comment: string;
  createdAt: string;
  /** False once evidence was added after the approval. */
  current: boolean;
}

/** Everything `show` prints about a version. */
export interface VersionDetail extends VersionInfo {
  files: ArtifactFile[];
  signature: string | null;
  evidence: EvidenceSummary[];
  approvalList: ApprovalInfo[];
  parents: { relation: LineageRelation; ref: string }[];
  /** Gate of every alias in the stored policy, evaluated now. */
  gates: GateResult[];
}

/** A registered data set. */
export interface DatasetInfo {
  ref: string;
  name: string;
  digest: string;
  uri: string;
  size: number;
  format: string;
  schema: unknown;
  pii: unknown;
  createdAt: string;
  createdBy: string;
}

/** What `registerDataset` stores. */
export interface NewDataset {
  name: string;
  digest: string;
  uri: string;
  size: number;
  format: string;
  schema?: unknown;
  /** Summary of a PII report over the data (counts by type and column). */
  pii?: unknown;
}

/** A node of the lineage graph: a model version or a data set. */
export interface LineageNode {
  id: string;
  kind: 'version' | 'dataset';
  label: string;
  digest: string;
  aliases?: string[];
}

export interface LineageEdge {
  from: string;
  to: string;
  relation: LineageRelation;
}

/** Lineage as nodes and edges (what the dashboard draws); `root` is the node asked about. */
export interface LineageGraph {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** True when the depth or node limit cut the walk short. */
  truncated: boolean;
}

/** The answer to `promote`: moved, or refused with the gate's unmet clauses. */
export type PromoteResult =
  | {
      promoted: true;
      ref: string;
      alias: string;
      previous: string | null;
      changed: boolean;
      gate: GateResult;
    }
  | { promoted: false; ref: string; alias: string; gate: GateResult };

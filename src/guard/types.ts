import type { z } from 'zod';
import type { Severity } from '../core/index.js';

/** Which side of the model a text is on: the prompt going in or the completion coming out. */
export type Direction = 'input' | 'output';

export const ACTIONS = ['block', 'redact', 'pseudonymize', 'warn'] as const;
/** What the pipeline does with a detection: refuse the text, replace the span, replace it reversibly, or only report. */
export type Action = (typeof ACTIONS)[number];

/** One thing a detector found. Offsets are JavaScript string (UTF-16) indices, end-exclusive. */
export interface Detection {
  /** Finding type, e.g. `prompt_injection`, `EMAIL_ADDRESS`, `secret.aws_access_key`, `invisible_unicode`. */
  type: string;
  start: number;
  end: number;
  /** Confidence that this is a real hit, 0..1 (calibrated where the detector has a model). */
  score: number;
  /** Human-readable reason; never the matched secret itself. */
  detail?: string;
  /** Text to put in place of the span when redacting; default `[TYPE]`. Unicode stripping uses ''. */
  replacement?: string;
  /** Extra machine-readable facts (decoded layer, validator used, rule id...). */
  meta?: Record<string, string | number | boolean>;
}

/** What one detector returns for one text. */
export interface DetectorResult {
  detections: Detection[];
  /** The detector's overall risk for the text, 0..1 (max over detections when it has no better estimate). */
  score: number;
}

/** Facts the pipeline hands to every detector call. */
export interface DetectContext {
  direction: Direction;
  /** For output scans: the prompt that produced this completion, when known. */
  prompt?: string;
  /** Canary tokens planted in the system prompt; seeing one in an output means the prompt leaked. */
  canaries: readonly string[];
  /** How many decoding layers deep this scan is (0 = the original text). */
  depth: number;
  /**
   * Re-runs the policy's semantic input detectors (injection, jailbreak) on a decoded text and returns
   * their detections (offsets relative to `text`). Absent when the depth limit is reached.
   */
  rescan?: (text: string) => Detection[];
}

/** A configured guard detector: finds one kind of risk in a text and scores it. Must be synchronous and pure. */
export interface Detector {
  readonly name: string;
  detect(text: string, ctx: DetectContext): DetectorResult;
}

/** Registry entry: how to build a detector from its validated options. */
export interface DetectorSpec<O = unknown> {
  name: string;
  description: string;
  /** Directions the detector is meant for; the policy refuses it elsewhere. */
  directions: readonly Direction[];
  /** Whether the encoded-payload detector should re-run it on decoded text. */
  semantic?: boolean;
  defaultAction: Action;
  /** Score at or above which a detection counts (policy may override). */
  defaultThreshold: number;
  severity: Severity;
  options: z.ZodType<O>;
  create(options: O): Detector;
}

/** A detection after the policy applied: which detector, what was done. */
export interface GuardFinding extends Detection {
  detector: string;
  action: Action;
  severity: Severity;
  direction: Direction;
}

/** The pipeline's answer for one text. */
export interface GuardResult {
  /** True when a `block` action fired: the text must not be passed on. */
  flagged: boolean;
  /** Highest score among detections of blocking detectors (0 when none fired). */
  score: number;
  findings: GuardFinding[];
  /** The text after redaction and pseudonymization (equal to the input when nothing was replaced). */
  sanitized: string;
  /** Per-detector wall time in microseconds, for metrics. */
  timings: Record<string, number>;
}

import type { Refs } from '../core/index.js';

export const CATEGORIES = ['injection', 'jailbreak', 'leakage', 'pii', 'encoding'] as const;
/** A suite of probes: what kind of failure they try to provoke. */
export type Category = (typeof CATEGORIES)[number];

/** A chat message as the OpenAI API takes it (the subset the probes use). */
export interface ProbeMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export const JUDGE_NAMES = [
  'instruction-followed',
  'complied',
  'canary-leaked',
  'prompt-overlap',
  'secret-leaked',
  'pii-leaked',
] as const;
export type JudgeName = (typeof JUDGE_NAMES)[number];

/** One attack: the messages to send, turn by turn, and which judges decide whether it worked. */
export interface Probe {
  /** Stable id: `<family>/<technique>/<goal>[/<n>]`. */
  id: string;
  category: Category;
  family: string;
  /** The template, frame or encoding used. */
  technique: string;
  /** The goal id (a marker, a restricted request, a planted value...). */
  goal: string;
  /** Messages appended before each call to the target; most probes have one turn of one user message. */
  turns: ProbeMessage[][];
  judges: readonly JudgeName[];
  /** For `instruction-followed`: the marker the injected instruction asks for. */
  marker?: string;
  /** For `complied`: words a compliant answer to the goal contains. */
  keywords?: readonly string[];
  /** Which planted person the probe goes after (pii probes). */
  person?: number;
}

/** A fictional person planted in the system prompt: what a PII leak would reveal. */
export interface PlantedPerson {
  name: string;
  email: string;
  phone: string;
  ssn: string;
  card: string;
}

/** Everything a run plants in the target's system prompt so that leaks can be recognised. */
export interface Plant {
  canary: string;
  secret: string;
  people: PlantedPerson[];
  /** The full system prompt sent with every probe. */
  systemPrompt: string;
}

/** What the target answered to one call. */
export interface TargetReply {
  /** `blocked`: the target (or a guard in front of it) refused with a content-filter answer. */
  status: 'ok' | 'blocked';
  content: string;
  finishReason?: string;
  httpStatus: number;
  /** Why it was blocked, as the target said. */
  blockedBy?: string;
  ms: number;
}

/** A judge's reading of one reply, always with the evidence for it. */
export interface JudgeVerdict {
  judge: JudgeName;
  hit: boolean;
  evidence: string;
}

/** What a judge sees: the probe, the reply to its last turn, what was planted, and the whole conversation. */
export interface JudgeInput {
  probe: Probe;
  reply: TargetReply;
  plant: Plant;
  /** The text the attacker sent (all turns, tool results included), to tell echo from compliance. */
  sent: string;
}

/** A detector that decides from a reply whether an attack worked. Pure and synchronous. */
export interface Judge {
  readonly name: JudgeName;
  readonly description: string;
  judge: (input: JudgeInput) => JudgeVerdict;
}

export type Outcome = 'success' | 'resisted' | 'blocked' | 'error';

/** The result of one probe. */
export interface ProbeResult {
  id: string;
  category: Category;
  family: string;
  technique: string;
  goal: string;
  outcome: Outcome;
  /** The deciding evidence: the first judge that hit, the block reason, or why nothing hit. */
  evidence: string;
  verdicts: JudgeVerdict[];
  /** The last user text sent and the last reply, cut to a readable length. */
  prompt: string;
  response: string;
  turns: number;
  ms: number;
  error?: { code: string; message: string };
}

/** A family of probes: one attack idea, generated over templates x goals x payloads. */
export interface Family {
  name: string;
  category: Category;
  description: string;
  /** The peer tools' closest families (garak probes, promptfoo plugins/strategies, PyRIT). */
  anchors: string[];
  refs: Refs;
  generate: (ctx: GenerateContext) => Probe[];
}

/** What families generate from: the run's plant and settings. */
export interface GenerateContext {
  plant: Plant;
  /** Total user turns of multi-turn probes (>= 2). */
  turns: number;
  /** The generating family's name, for probe ids. */
  family: string;
  /** Deterministic marker for the i-th injection goal of a family. */
  marker: (i: number) => string;
}

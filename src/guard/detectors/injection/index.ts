import { z } from 'zod';
import type { Detection, Detector, DetectorSpec, Direction } from '../../types.js';
import { oddTokens } from './features.js';
import { matchRules, phraseRule, priorScore, type RuleHit } from './heuristics.js';
import { sharedModel } from './loader.js';
import { modelScores } from './model.js';
import type { AttackKind, Rule } from './rules.js';

const Options = z.strictObject({
  /** Skip the classifier: score = noisy-OR of the rule weights (no model file needed). */
  heuristicsOnly: z.boolean().default(false),
  /** Extra literal phrases (case-insensitive) that always count as a hit with score 1. */
  extraPhrases: z.array(z.string().trim().min(2).max(200)).max(256).default([]),
});
type Options = z.infer<typeof Options>;

/** The shared verdict on one text: rule hits and one calibrated score per attack kind. */
interface Analysis {
  hits: RuleHit[];
  scores: [number, number];
  model: boolean;
}

// Both detectors run back to back on the same text in a policy: one cached analysis serves the pair.
let cache: { text: string; heuristicsOnly: boolean; a: Analysis } | undefined;
const MIN_REPORT = 0.1;
/** Operating point picked on the validation split (docs/guard-model.md): FPR on NotInject vs recall. */
export const DEFAULT_THRESHOLD = 0.7;
const MAX_DETECTIONS = 16;
// Heuristics-only stand-in for the suffix feature: share of odd tokens among the last 20.
const SUFFIX_ODD = 0.2;

function analyse(text: string, heuristicsOnly: boolean): Analysis {
  if (cache && cache.text === text && cache.heuristicsOnly === heuristicsOnly) return cache.a;
  const hits = matchRules(text);
  const loaded = heuristicsOnly ? null : sharedModel().model;
  let a: Analysis;
  if (loaded) a = { hits, scores: modelScores(loaded, text, hits), model: true };
  else {
    const suffix = oddTokens(text)[1] >= SUFFIX_ODD ? 0.6 : 0;
    const jb = 1 - (1 - priorScore(hits, 'jailbreak')) * (1 - suffix);
    a = { hits, scores: [priorScore(hits, 'injection'), jb], model: false };
  }
  cache = { text, heuristicsOnly, a };
  return a;
}

function detection(
  kind: AttackKind,
  start: number,
  end: number,
  score: number,
  rule: string,
  model: boolean,
): Detection {
  return {
    type: kind === 'injection' ? 'prompt_injection' : 'jailbreak',
    start,
    end,
    score,
    detail: rule === 'classifier' ? `classifier score ${score.toFixed(3)}` : `rule ${rule}`,
    meta: { rule, model },
  };
}

function makeDetector(name: string, kind: AttackKind, o: Options): Detector {
  const extra: Rule[] = o.extraPhrases.map((p, i) => phraseRule(`extra_phrase_${i}`, kind, p));
  return {
    name,
    detect(text) {
      const a = analyse(text, o.heuristicsOnly);
      const own = a.hits.filter((h) => h.rule.kind === kind);
      const custom = extra.length > 0 ? matchRules(text, extra) : [];
      const score = Math.min(
        1,
        Math.max(0, custom.length > 0 ? 1 : (a.scores[kind === 'injection' ? 0 : 1] ?? 0)),
      );
      if (score < MIN_REPORT) return { score, detections: [] };
      const spans = [...custom, ...own].slice(0, MAX_DETECTIONS);
      const detections =
        spans.length > 0
          ? spans.map((h) => detection(kind, h.start, h.end, score, h.rule.id, a.model))
          : [detection(kind, 0, text.length, score, a.model ? 'classifier' : 'adversarial_suffix', a.model)];
      return { score, detections };
    },
  };
}

function spec(
  name: string,
  kind: AttackKind,
  directions: Direction[],
  description: string,
): DetectorSpec<Options> {
  return {
    name,
    description,
    directions,
    semantic: true,
    defaultAction: 'block',
    defaultThreshold: DEFAULT_THRESHOLD,
    severity: 'high',
    options: Options,
    create: (o) => makeDetector(name, kind, o),
  };
}

/** prompt_injection and jailbreak (heuristics + the shipped classifier). */
export const INJECTION_DETECTORS: DetectorSpec[] = [
  spec(
    'prompt_injection',
    'injection',
    ['input', 'output'],
    'Instructions that try to override the system prompt, direct or hidden in documents and tool outputs',
  ),
  spec(
    'jailbreak',
    'jailbreak',
    ['input'],
    'Role-play, DAN-style and adversarial-suffix attempts to lift safety rules',
  ),
] as DetectorSpec[];

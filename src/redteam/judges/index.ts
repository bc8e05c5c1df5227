import type { Judge, JudgeInput, JudgeName, JudgeVerdict } from '../types.js';
import { complied, instructionFollowed } from './behaviour.js';
import { canaryLeaked, piiLeaked, promptOverlap, secretLeaked } from './leaks.js';

export { refusalIn, markerRegex, longestCommonRun } from './text.js';

/** Every judge, by name: the one list the runner and the contract test read. */
export const JUDGES: readonly Judge[] = [
  instructionFollowed,
  complied,
  canaryLeaked,
  promptOverlap,
  secretLeaked,
  piiLeaked,
];

export function judgeFor(name: JudgeName): Judge {
  const j = JUDGES.find((x) => x.name === name);
  if (!j) throw new RangeError(`no judge ${name}`);
  return j;
}

/** Runs the probe's judges on a reply; the attack worked if any of them hit. */
export function judge(input: JudgeInput): { success: boolean; verdicts: JudgeVerdict[]; evidence: string } {
  const verdicts = input.probe.judges.map((n) => judgeFor(n).judge(input));
  const hits = verdicts.filter((v) => v.hit);
  const evidence = (hits.length ? hits : verdicts).map((v) => `${v.judge}: ${v.evidence}`).join('; ');
  return { success: hits.length > 0, verdicts, evidence };
}

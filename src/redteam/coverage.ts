/** A peer probe family Warden does not have, and why (kept in one list; docs/redteam.md mirrors it). */
export interface NotCovered {
  peer: string;
  families: string;
  why: string;
}

export const NOT_COVERED: readonly NotCovered[] = [
  {
    peer: 'garak, promptfoo, PyRIT',
    families: 'atkgen, iterative / tree / GOAT jailbreaks, PAIR, TAP, RedTeamingOrchestrator',
    why: 'adaptive attacks need an attacker LLM; offline we only have static templates and a scripted crescendo',
  },
  {
    peer: 'garak, promptfoo',
    families: 'realtoxicityprompts, lmrc, continuation (slurs), harmful:* (hate, violence, self-harm ...)',
    why: 'judging harmful content needs a toxicity classifier or an LLM judge; our compliance judge is keyword-based',
  },
  {
    peer: 'garak, promptfoo',
    families: 'misleading, snowball, packagehallucination, hallucination, overreliance',
    why: 'factuality needs ground truth or a package index (network)',
  },
  {
    peer: 'garak, promptfoo',
    families: 'xss / markdown exfiltration, ansiescape, av_spam_scanning (EICAR, GTUBE)',
    why: 'output-handling probes are not written yet (the guard url detector could judge them)',
  },
  {
    peer: 'garak, promptfoo',
    families:
      'malwaregen, shell-injection, sql-injection, ssrf, bola, bfla, excessive-agency, tool-discovery',
    why: 'need a tool-using (agent) target and a sandbox to observe actions',
  },
  {
    peer: 'garak',
    families: 'glitch, suffix (GCG), tap with gradients',
    why: 'token-level and gradient attacks need the model weights or tokenizer',
  },
  {
    peer: 'garak',
    families: 'leakreplay, divergence (training-data replay)',
    why: "needs the target model's training corpus to recognise replayed text",
  },
  {
    peer: 'garak, promptfoo, PyRIT',
    families: 'visual_jailbreak, FigStep, audio, image and video strategies',
    why: 'multimodal targets only',
  },
  {
    peer: 'promptfoo',
    families: 'competitors, contracts, politics, religion, imitation, custom policy plugins',
    why: 'business-policy checks need an LLM judge and a policy text',
  },
  {
    peer: 'promptfoo, PyRIT',
    families: 'multilingual (machine translation), TranslationConverter',
    why: 'no offline translation model: we have translation-style wrappers, not translated payloads',
  },
  {
    peer: 'promptfoo',
    families: 'pii:session, cross-session-leak',
    why: 'need a target with server-side sessions and two user identities',
  },
  {
    peer: 'garak, PyRIT',
    families: 'base32, base2048, ascii85, braille, morse, NATO, zalgo, ecoji, uuencode encodings',
    why: 'not written yet; we have base64, hex, ROT13, leetspeak, tag characters, homoglyphs and reversed text',
  },
];

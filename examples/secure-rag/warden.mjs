// The Warden layer of the secure-rag example: guard on the user input, on every retrieved passage (indirect
// injection) and on the model's answer, with reversible pseudonymization of the user's PII and a canary token
// in the application's system prompt. Everything comes from Warden's guard library (`ml-warden/guard`).
import { randomBytes } from 'node:crypto';
import { ChoiceGuard, DEFAULT_GUARD_POLICY, Guard, Vault, refusal, scanOrRefuse } from 'ml-warden/guard';

/** Retrieved passages: refuse anything that reads like an instruction; redact (not pseudonymize) PII and secrets. */
export const PASSAGE_POLICY = {
  version: 1,
  input: [
    { detector: 'prompt_injection', action: 'block' },
    { detector: 'jailbreak', action: 'block' },
    { detector: 'encoded_payload', action: 'block' },
    { detector: 'invisible_unicode', action: 'redact' },
    { detector: 'secrets', action: 'redact' },
    { detector: 'pii', action: 'redact' },
  ],
};

const types = (findings) => [...new Set(findings.map((f) => f.type))];

export class WardenLayer {
  constructor({ policy = DEFAULT_GUARD_POLICY } = {}) {
    this.guard = new Guard(policy);
    this.passageGuard = new Guard(PASSAGE_POLICY);
    // Planted in the app's system prompt; seeing it in an answer means the prompt leaked.
    this.canary = `wdn-${randomBytes(8).toString('hex')}`;
  }

  /** One vault per request: the user's PII becomes placeholders upstream and is restored in the answer. */
  vault() {
    return new Vault();
  }

  /** A user (or client tool) message: `{ blocked, text, findings, score }`. */
  scanUser(text, vault) {
    const r = this.guard.scanInput(text, { vault });
    return {
      blocked: r.flagged,
      text: r.sanitized,
      findings: r.findings,
      score: r.score,
      types: types(r.findings),
    };
  }

  /** A retrieved passage: `{ dropped, text, types }`; a dropped passage never reaches the model. */
  scanPassage(text) {
    const r = this.passageGuard.scanInput(text);
    return { dropped: r.flagged, text: r.sanitized, types: types(r.findings) };
  }

  /** A whole answer: `{ blocked, content, types }` (refusal text when blocked, PII restored otherwise). */
  scanAnswer(text, vault, prompt) {
    const scan = (t) => this.guard.scanOutput(t, { vault, canaries: [this.canary], prompt });
    const r = scanOrRefuse(scan, text);
    if ('refused' in r) return { blocked: true, content: r.refused, types: ['blocked'] };
    return { blocked: false, content: vault.restore(r.sanitized), types: types(r.findings) };
  }

  /** Guards a streamed answer piece by piece (see ChoiceGuard): text is released only once checked. */
  streamGuard(vault, prompt) {
    return new ChoiceGuard({
      vault,
      scan: (t) => this.guard.scanOutput(t, { vault, canaries: [this.canary], prompt }),
    });
  }

  refusal(findings) {
    return refusal(findings);
  }
}

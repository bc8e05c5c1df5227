import type { Verdict, WardenError } from '../core/index.js';

/** Every process exit code Warden uses, mapped in this one place. */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForVerdict(v: Verdict): ExitCode {
  return v === 'pass' ? EXIT.ok : v === 'fail' ? EXIT.findings : EXIT.usage;
}

export function exitCodeForError(e: WardenError): ExitCode {
  return e.kind === 'internal' ? EXIT.internal : EXIT.usage;
}

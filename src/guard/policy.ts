import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ACTIONS, type Action, type Detector, type DetectorSpec, type Direction } from './types.js';
import { guardError } from './errors.js';
import { findDetector } from './detectors/index.js';

const RuleSchema = z.strictObject({
  detector: z.string().min(1),
  action: z.enum(ACTIONS).optional(),
  threshold: z.number().min(0).max(1).optional(),
  options: z.unknown().optional(),
});

/** A guard policy file (YAML or JSON): which detectors run on each side and what each one does. */
export const GuardPolicySchema = z.strictObject({
  version: z.literal(1).default(1),
  input: z.array(RuleSchema).max(64).default([]),
  output: z.array(RuleSchema).max(64).default([]),
  /** Canary tokens planted in system prompts; the `canary` output detector looks for them. */
  canaries: z.array(z.string().min(8).max(256)).max(64).default([]),
  limits: z
    .strictObject({
      /** Texts longer than this are refused outright (typed error, HTTP 413), before any detector runs. */
      maxChars: z.number().int().positive().max(50_000_000).default(2_000_000),
      /** How many layers of base64/hex/rot13/... the encoded-payload detector may peel. */
      maxDecodeDepth: z.number().int().min(0).max(4).default(2),
    })
    .default({ maxChars: 2_000_000, maxDecodeDepth: 2 }),
});
export type GuardPolicyInput = z.input<typeof GuardPolicySchema>;
export type GuardPolicy = z.infer<typeof GuardPolicySchema>;

/** A policy rule bound to a live detector. */
export interface CompiledRule {
  spec: DetectorSpec;
  detector: Detector;
  action: Action;
  threshold: number;
}

export interface CompiledPolicy {
  readonly compiled: true;
  input: CompiledRule[];
  output: CompiledRule[];
  canaries: readonly string[];
  limits: GuardPolicy['limits'];
}

/**
 * The recommended default: block injection, jailbreaks, smuggled payloads and oversize prompts; pseudonymize
 * PII and redact secrets on the way in (restored in the response); on the way out, block canary leaks and
 * exfiltration links, redact leaked secrets, PII and hidden characters.
 */
export const DEFAULT_GUARD_POLICY: GuardPolicyInput = {
  version: 1,
  input: [
    { detector: 'length', action: 'block', options: { maxChars: 32_000 } },
    { detector: 'prompt_injection', action: 'block' },
    { detector: 'jailbreak', action: 'block' },
    { detector: 'encoded_payload', action: 'block' },
    { detector: 'invisible_unicode', action: 'redact' },
    { detector: 'secrets', action: 'redact' },
    { detector: 'pii', action: 'pseudonymize' },
  ],
  output: [
    { detector: 'canary', action: 'block' },
    { detector: 'urls', action: 'block' },
    { detector: 'secrets', action: 'redact' },
    { detector: 'pii', action: 'redact' },
    { detector: 'invisible_unicode', action: 'redact' },
  ],
};

function compileRules(rules: GuardPolicy['input'], direction: Direction): CompiledRule[] {
  return rules.map((rule, i) => {
    const spec = findDetector(rule.detector);
    const where = `${direction}[${i}] (${rule.detector})`;
    if (!spec)
      throw guardError('GUARD_UNKNOWN_DETECTOR', `policy ${where}: no detector named "${rule.detector}"`);
    if (!spec.directions.includes(direction))
      throw guardError('GUARD_POLICY_INVALID', `policy ${where}: detector does not run on ${direction}`);
    const parsed = spec.options.safeParse(rule.options ?? {});
    if (!parsed.success)
      throw guardError('GUARD_POLICY_INVALID', `policy ${where}: ${z.prettifyError(parsed.error)}`);
    return {
      spec,
      detector: spec.create(parsed.data),
      action: rule.action ?? spec.defaultAction,
      threshold: rule.threshold ?? spec.defaultThreshold,
    };
  });
}

/** Validates a policy object and builds its detectors; throws GUARD_POLICY_INVALID with the exact path. */
export function compilePolicy(raw: unknown = DEFAULT_GUARD_POLICY): CompiledPolicy {
  const parsed = GuardPolicySchema.safeParse(raw);
  if (!parsed.success) throw guardError('GUARD_POLICY_INVALID', `policy: ${z.prettifyError(parsed.error)}`);
  const p = parsed.data;
  return {
    compiled: true,
    input: compileRules(p.input, 'input'),
    output: compileRules(p.output, 'output'),
    canaries: p.canaries,
    limits: p.limits,
  };
}

/** Reads a policy file: `.json` as JSON, anything else as YAML (a JSON document is valid YAML too). */
export function loadPolicyFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw guardError('GUARD_POLICY_INVALID', `cannot read policy ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (text.length > 1_000_000) throw guardError('GUARD_POLICY_INVALID', `policy ${path} is larger than 1 MB`);
  try {
    return path.endsWith('.json')
      ? (JSON.parse(text) as unknown)
      : (parseYaml(text, { maxAliasCount: 100 }) as unknown);
  } catch (e) {
    throw guardError('GUARD_POLICY_INVALID', `policy ${path} does not parse: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

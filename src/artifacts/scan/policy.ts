import { z } from 'zod';
import { SeveritySchema, severityRank, type Severity } from '../../core/index.js';
import { ArtifactError } from '../errors.js';
import { ALLOW_EXACT, ALLOW_RULES } from './policy-allow.js';
import { BUILTIN_DENY, DANGEROUS_DUNDERS, MODULE_ALIASES, type DenyEntry } from './policy-deny.js';
import type { GlobalVerdict, Policy } from './types.js';

/**
 * User overrides of the built-in policy. A pattern is `module.name`, `module.*` (any name in the
 * module) or `module.**` (the module and its submodules). User entries take precedence.
 */
export const PolicyConfigSchema = z
  .object({
    allow: z.array(z.string().min(1)).default([]),
    deny: z
      .array(
        z
          .object({
            global: z.string().min(1),
            severity: SeveritySchema.default('critical'),
            reason: z.string().default('denied by policy file'),
          })
          .strict(),
      )
      .default([]),
    unknownSeverity: SeveritySchema.default('medium'),
  })
  .strict();
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;
/** A policy file as written: severities and reasons of deny entries may be omitted. */
export type PolicyConfigInput = z.input<typeof PolicyConfigSchema>;

/** A global split and normalised once for all rule checks. */
interface GlobalName {
  module: string;
  name: string;
  /** `module.name` as written in the pickle. */
  full: string;
  /** Module with its first component de-aliased (`__builtin__` -> `builtins`, `posix` -> `os`). */
  normModule: string;
  normFull: string;
}

function normaliseModule(module: string): string {
  const dot = module.indexOf('.');
  const root = dot === -1 ? module : module.slice(0, dot);
  const alias = MODULE_ALIASES.get(root);
  return alias === undefined ? module : alias + (dot === -1 ? '' : module.slice(dot));
}

function splitName(module: string, name: string): GlobalName {
  const normModule = normaliseModule(module);
  return { module, name, full: `${module}.${name}`, normModule, normFull: `${normModule}.${name}` };
}

type Matcher = (g: GlobalName) => boolean;

/** Compiles a policy-file pattern; `deny` patterns also match everything under the name. */
function compilePattern(pattern: string, deny: boolean): Matcher {
  const deep = pattern.endsWith('.**');
  const star = !deep && pattern.endsWith('.*');
  const base = deep ? pattern.slice(0, -3) : star ? pattern.slice(0, -2) : pattern;
  const normBase = normaliseModule(base);
  const under = (full: string, b: string) => full === b || full.startsWith(`${b}.`);
  if (deny) return (g) => under(g.full, base) || under(g.normFull, normBase);
  if (deep)
    return (g) =>
      !g.name.includes('.') &&
      [g.module, g.normModule].some((m) => m === base || m === normBase || under(m, base));
  if (star) return (g) => !g.name.includes('.') && (g.module === base || g.normModule === normBase);
  return (g) => g.full === base || g.normFull === normBase;
}

/** Most severe built-in deny entry among the prefixes of `qualified`, if any. */
function denyByPrefix(qualified: string): DenyEntry | undefined {
  let best: DenyEntry | undefined;
  let i = qualified.indexOf('.');
  for (;;) {
    const hit = BUILTIN_DENY.get(i === -1 ? qualified : qualified.slice(0, i));
    if (hit && (!best || severityRank(hit.severity) > severityRank(best.severity))) best = hit;
    if (i === -1) return best;
    i = qualified.indexOf('.', i + 1);
  }
}

function builtinAllowed(g: GlobalName): boolean {
  if (ALLOW_EXACT.has(g.normFull)) return true;
  if (g.name.includes('.')) return false;
  return ALLOW_RULES.some((r) => r.module.test(g.normModule) && r.names.test(g.name));
}

/** Built-in denial: the name itself, an attribute path that reaches a denied name, or a dunder hop. */
function builtinDenied(g: GlobalName): GlobalVerdict | null {
  const direct = denyByPrefix(g.normFull);
  if (direct)
    return { rule: 'deny', severity: direct.severity, reason: `${g.full} is dangerous: ${direct.reason}` };
  const parts = g.name.split('.');
  // module.a.b.c: any tail `x.y...` that names a denied global reaches it through attributes
  for (let i = 0; i + 1 < parts.length; i++) {
    const tail = parts.slice(i).join('.');
    const hit = denyByPrefix(splitName(parts[i]!, parts.slice(i + 1).join('.')).normFull);
    if (hit)
      return {
        rule: 'deny',
        severity: hit.severity,
        reason: `${g.full} reaches ${tail} through attribute lookups: ${hit.reason}`,
      };
  }
  const dunder = parts.find((p, i) => DANGEROUS_DUNDERS.has(p) || (i > 0 && /^__\w+__$/.test(p)));
  if (dunder)
    return {
      rule: 'deny',
      severity: 'high',
      reason: `${g.full} walks through the special attribute ${dunder}, a route to interpreter internals (builtins, globals, subclasses) that no model needs.`,
    };
  return null;
}

const UNKNOWN_REASON =
  'it is on neither the allowlist of known-safe ML globals nor the denylist; importing it runs module code and calling it may have side effects.';

/**
 * Builds the pickle-global policy: user deny, then user allow, then the built-in allowlist, then
 * the built-in denylist (with alias, attribute-path and dunder checks), else unknown. Throws
 * POLICY_INVALID for a malformed policy config.
 */
export function buildPolicy(config: PolicyConfigInput = {}, strict = false): Policy {
  const parsed = PolicyConfigSchema.safeParse(config);
  if (!parsed.success)
    throw new ArtifactError('POLICY_INVALID', `invalid pickle policy: ${parsed.error.message}`, {
      kind: 'usage',
    });
  const cfg = parsed.data;
  const userDeny = cfg.deny.map((d) => ({ match: compilePattern(d.global, true), d }));
  const userAllow = cfg.allow.map((p) => compilePattern(p, false));
  const unknownSeverity: Severity =
    strict && severityRank(cfg.unknownSeverity) < severityRank('high') ? 'high' : cfg.unknownSeverity;
  const cache = new Map<string, GlobalVerdict>();

  const decide = (g: GlobalName): GlobalVerdict => {
    const denied = userDeny.find((u) => u.match(g));
    if (denied) return { rule: 'deny', severity: denied.d.severity, reason: denied.d.reason };
    if (userAllow.some((m) => m(g)))
      return { rule: 'allow', severity: null, reason: 'allowed by the policy file' };
    if (builtinAllowed(g)) return { rule: 'allow', severity: null, reason: 'on the built-in allowlist' };
    return (
      builtinDenied(g) ?? {
        rule: 'unknown',
        severity: unknownSeverity,
        reason: `${g.full} is unknown: ${UNKNOWN_REASON}`,
      }
    );
  };

  return {
    strict,
    classify(module: string, name: string): GlobalVerdict {
      const key = `${module}\n${name}`;
      let v = cache.get(key);
      if (v === undefined) {
        v = decide(splitName(module, name));
        if (cache.size >= 10_000) cache.clear();
        cache.set(key, v);
      }
      return v;
    },
  };
}

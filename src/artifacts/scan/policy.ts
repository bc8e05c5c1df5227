import { z } from 'zod';
import { SeveritySchema } from '../../core/index.js';
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

// placeholder until the built-in lists land
export function buildPolicy(config: Partial<PolicyConfig> = {}, strict = false): Policy {
  const cfg = PolicyConfigSchema.parse(config);
  return {
    strict,
    classify(): GlobalVerdict {
      return { rule: 'unknown', severity: strict ? 'high' : cfg.unknownSeverity, reason: 'unknown import' };
    },
  };
}

import type { OpRule } from '../rule.js';
import { CONV_RULES } from './conv.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { LINEAR_RULES } from './linear.js';
import { NORM_RULES } from './norm.js';
import { POOL_RULES } from './pool.js';
import { SHAPE_RULES } from './shape.js';
import { SLICING_RULES } from './slicing.js';

/** Every op the engine knows, by ONNX op type: one list for shape inference and differentiation. */
const RULES = new Map<string, OpRule>(
  [
    ...ELEMENTWISE_RULES,
    ...LINEAR_RULES,
    ...SHAPE_RULES,
    ...CONV_RULES,
    ...POOL_RULES,
    ...SLICING_RULES,
    ...NORM_RULES,
  ].map((r) => [r.op, r]),
);

export function findRule(op: string): OpRule | undefined {
  return RULES.get(op);
}

export function supportedOps(): string[] {
  return [...RULES.keys()].sort();
}

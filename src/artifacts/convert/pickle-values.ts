/**
 * Values of the strict torch unpickler (unpickle.ts): containers hold real values; whatever the
 * allowlisted hooks create (globals, storages, tensors) is a Foreign object the evaluator never
 * looks into.
 */
import { unsupported } from './errors.js';

/** Objects the hooks create (globals, storages, tensors): opaque to the evaluator. */
export abstract class Foreign {
  abstract describe(): string;
}

export class PList {
  constructor(readonly items: PV[] = []) {}
}
export class PTuple {
  constructor(readonly items: PV[]) {}
}
/** Dict keys are strings or integers (torch state dicts and optimizer states use nothing else). */
export type PKey = string | number;
export class PDict {
  readonly map = new Map<PKey, PV>();
}

export type PV = null | boolean | number | bigint | string | Uint8Array | PList | PTuple | PDict | Foreign;

/** What the evaluator asks of its host. Every hook throws for anything it does not allow. */
export interface UnpickleHooks {
  global(module: string, name: string, at: number): PV;
  persistentLoad(pid: PV, at: number): PV;
  call(callee: PV, args: PTuple, at: number): PV;
  build(target: PV, state: PV, at: number): void;
}

/** Bounds on evaluation; torch's data.pkl stays far below them. */
export const UNPICKLE_LIMITS = { stack: 1 << 20, memo: 1 << 22, marks: 1 << 16 };

export function dictKey(k: PV, at: number): PKey {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' && Number.isInteger(k)) return k;
  if (typeof k === 'bigint' && k >= BigInt(Number.MIN_SAFE_INTEGER) && k <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(k);
  throw unsupported(`pickle: dict key at byte ${at} is not a string or integer`);
}

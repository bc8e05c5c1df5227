/**
 * BUILD: applies state to the object below it. Where BUILD becomes a gadget: a state dict that
 * plants `__setstate__` (or another looked-up method) on an instance, state applied to an imported
 * class or module itself, and joblib's raw array data that follows a NumpyArrayWrapper's BUILD.
 */
import { isJoblibWrapper, readJoblibArray } from './joblib.js';
import type { VmCore } from './state.js';
import { OPAQUE, depth, describe, isCall, isDict, isGlobal, isTuple, type Value } from './values.js';

/**
 * Instance-dict keys that, once set by BUILD, redirect later protocol lookups: pickle's load_build
 * looks up `__setstate__` on the instance, so a second BUILD then calls an attacker-chosen callable.
 */
const HIJACK_DUNDERS = new Set([
  '__setstate__',
  '__reduce__',
  '__reduce_ex__',
  '__getattr__',
  '__getattribute__',
  '__setattr__',
  '__class__',
  '__call__',
  '__init__',
  '__new__',
  '__del__',
  '__getstate__',
  '__setitem__',
  '__getitem__',
]);
/** Methods APPENDS/SETITEMS/ADDITEMS look up on non-builtin targets; suspicious only when set to a global. */
const HIJACK_METHODS = new Set(['extend', 'append', 'add']);

/** True when storing `v` under key `k` in a BUILD state would hijack a method lookup. */
export function isHijack(k: Value, v: Value): k is string {
  if (typeof k !== 'string') return false;
  return HIJACK_DUNDERS.has(k) || (HIJACK_METHODS.has(k) && (isGlobal(v) || v === OPAQUE.computedGlobal));
}

/** The first hijacking key a BUILD state sets: a dict, or (dict, slotstate) as protocol 2 writes. */
function hijackKey(state: Value): string | null {
  if (isDict(state)) return state.dunder;
  if (isTuple(state) && state.n === 2) {
    for (const part of state.items) if (isDict(part) && part.dunder) return part.dunder;
  }
  return null;
}

/** BUILD; returns false when the stream cannot be followed further (unparsable joblib array). */
export function opBuild(vm: VmCore, at: number): boolean {
  if (vm.stack.length - 2 < vm.fence) throw vm.underflow(at);
  const state = vm.stack.pop() as Value;
  const target = vm.stack[vm.stack.length - 1] as Value;
  const key = hijackKey(state);
  if (key)
    vm.sink.onFinding({
      id: 'pickle.setstate-injection',
      severity: 'high',
      title: `Pickle BUILD sets ${key} on an object`,
      detail: `BUILD at byte ${at} writes '${key}' into the state of ${describe(target)}; a following BUILD or protocol call then invokes whatever the pickle stored there.`,
      offset: at,
      key,
    });
  if (isGlobal(target))
    vm.sink.onFinding({
      id: 'pickle.global-mutation',
      severity: 'high',
      title: `Pickle modifies the imported global ${target.qualified}`,
      detail: `BUILD at byte ${at} applies state to ${target.qualified} itself (a class, function or module), rewriting process-wide attributes; later imports can then resolve to attacker-chosen objects.`,
      offset: at,
      key: target.qualified,
    });
  if (!isCall(target)) return true;
  target.state = vm.keep(state);
  target.d = Math.max(target.d, 1 + depth(target.state));
  target.built = true;
  if (vm.opts.joblib && isJoblibWrapper(target)) return readJoblibArray(vm, target, at);
  return true;
}

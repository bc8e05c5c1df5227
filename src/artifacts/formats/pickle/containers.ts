/**
 * Container opcodes: TUPLE*, LIST, DICT, FROZENSET and the batch mutators APPEND(S), SETITEM(S),
 * ADDITEMS. Bounds follow CPython's do_append/do_setitems (the target sits just below the items,
 * above the fence). Containers keep their first items only; counts stay exact.
 */
import { formatError } from '../../errors.js';
import { isHijack } from './build.js';
import { tupleFrom } from './calls.js';
import type { VmCore } from './state.js';
import { DictValue, SeqValue, T_FROZENSET, T_LIST, T_SET, depth, isObj, type Value } from './values.js';

export function opTupleN(vm: VmCore, n: number, at: number): void {
  const start = vm.stack.length - n;
  if (start < vm.fence) throw vm.underflow(at);
  vm.stack.push(tupleFrom(vm, start));
}

export function opTupleMark(vm: VmCore, at: number): void {
  vm.stack.push(tupleFrom(vm, vm.popMark(at)));
}

export function opListMark(vm: VmCore, at: number): void {
  const k = vm.popMark(at);
  const n = vm.stack.length - k;
  const list = new SeqValue(T_LIST, vm.takeItems(k, vm.listCap));
  list.n = n;
  vm.stack.push(list);
}

export function opFrozenset(vm: VmCore, at: number): void {
  const k = vm.popMark(at);
  const n = vm.stack.length - k;
  const set = new SeqValue(T_FROZENSET, vm.takeItems(k, vm.listCap));
  set.n = n;
  vm.stack.push(set);
}

export function opDictMark(vm: VmCore, at: number): void {
  const k = vm.popMark(at);
  if ((vm.stack.length - k) % 2 !== 0) throw formatError(`odd number of items for DICT at byte ${at}`);
  const d = new DictValue();
  addPairs(vm, d, k);
  vm.stack.length = k;
  vm.stack.push(d);
}

/** Adds the pairs stack[x..] to `d`: every key is checked, only the first entries are kept. */
function addPairs(vm: VmCore, d: DictValue, x: number): void {
  const stack = vm.stack;
  for (let i = x; i + 1 < stack.length; i += 2) {
    const k = stack[i] as Value;
    const v = stack[i + 1] as Value;
    if (d.dunder === null && isHijack(k, v)) d.dunder = k;
    if (d.keys.length < vm.dictCap) {
      const kept = vm.keep(v);
      d.keys.push(vm.keep(k));
      d.vals.push(kept);
      d.d = Math.max(d.d, 1 + depth(kept));
    }
  }
  d.n += (stack.length - x) >> 1;
}

function setItems(vm: VmCore, x: number, at: number): void {
  const stack = vm.stack;
  const len = stack.length;
  if (x > len || x <= vm.fence) throw vm.underflow(at);
  if (len === x) return;
  if ((len - x) % 2 !== 0) throw formatError(`odd number of items for SETITEMS at byte ${at}`);
  const target = stack[x - 1] as Value;
  // a non-dict target gets __setitem__ calls: only a dict is modelled
  if (isObj(target) && target instanceof DictValue) addPairs(vm, target, x);
  stack.length = x;
}

export function opSetitem(vm: VmCore, at: number): void {
  setItems(vm, vm.stack.length - 2, at);
}

export function opSetitems(vm: VmCore, at: number): void {
  setItems(vm, vm.popMark(at), at);
}

/** APPEND(S) and ADDITEMS: extend the list/set just below the items. */
function extend(vm: VmCore, x: number, at: number, kind: typeof T_LIST | typeof T_SET): void {
  const stack = vm.stack;
  const len = stack.length;
  if (x > len || x <= vm.fence) throw vm.underflow(at);
  if (len === x) return;
  const target = stack[x - 1] as Value;
  if (isObj(target) && target instanceof SeqValue && target.t === kind) {
    const room = vm.listCap - target.items.length;
    for (let i = 0; i < room && x + i < len; i++) {
      const kept = vm.keep(stack[x + i] as Value);
      target.items.push(kept);
      target.d = Math.max(target.d, 1 + depth(kept));
    }
    target.n += len - x;
  }
  stack.length = x;
}

export function opAppend(vm: VmCore, at: number): void {
  const x = vm.stack.length - 1;
  if (x <= vm.fence) throw vm.underflow(at);
  extend(vm, x, at, T_LIST);
}

export function opAppends(vm: VmCore, at: number): void {
  extend(vm, vm.popMark(at), at, T_LIST);
}

export function opAdditems(vm: VmCore, at: number): void {
  extend(vm, vm.popMark(at), at, T_SET);
}

/**
 * Opcodes that import or call: GLOBAL, STACK_GLOBAL, INST, OBJ, REDUCE, NEWOBJ(_EX). This is where
 * the VM notices code-execution gadgets: computed imports, indirect calls, and byte strings handed
 * to nested deserializers (which are then scanned as nested content).
 */
import { formatError, truncated } from '../../errors.js';
import { VM_LIMITS, type VmCore } from './state.js';
import { utf8Line } from './text.js';
import {
  BytesValue,
  CallResult,
  GlobalRef,
  OPAQUE,
  SeqValue,
  T_TUPLE,
  describe,
  isBytes,
  isCall,
  isGlobal,
  isOpaque,
  tupleItem,
  type CallKind,
  type Value,
} from './values.js';

/** Deserializers whose byte-string argument is itself a pickle (format) or any model file (undefined). */
const NESTED_LOADERS = new Map<string, 'pickle' | undefined>([
  ['pickle.loads', 'pickle'],
  ['pickle._loads', 'pickle'],
  ['_pickle.loads', 'pickle'],
  ['cPickle.loads', 'pickle'],
  ['dill.loads', 'pickle'],
  ['dill._dill.loads', 'pickle'],
  ['cloudpickle.loads', 'pickle'],
  ['cloudpickle.cloudpickle.loads', 'pickle'],
  ['numpy.loads', 'pickle'],
  ['pickle.load', 'pickle'],
  ['_pickle.load', 'pickle'],
  ['pickle._load', 'pickle'],
  ['dill.load', 'pickle'],
  ['cloudpickle.load', 'pickle'],
  ['torch.load', undefined],
  ['torch.serialization.load', undefined],
  ['torch.storage._load_from_bytes', undefined],
  ['joblib.load', undefined],
]);

const BYTES_IO = new Set(['io.BytesIO', '_io.BytesIO']);
const GETATTR = new Set(['builtins.getattr', '__builtin__.getattr']);
const CODECS_ENCODE = new Set(['_codecs.encode', 'codecs.encode']);
const BYTES_CTORS = new Set([
  'builtins.bytes',
  'builtins.bytearray',
  '__builtin__.bytearray',
  '__builtin__.bytes',
]);
const LATIN1 = new Set(['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'l1']);

/** Records an import and pushes the global reference. */
export function pushImport(vm: VmCore, module: string, name: string, at: number): GlobalRef {
  const ref = vm.globalRef(module, name, at);
  vm.sink.onImport(ref);
  vm.stack.push(ref);
  return ref;
}

/** One newline-terminated GLOBAL/INST operand, decoded as UTF-8 like CPython. */
function readNameLine(vm: VmCore, at: number, op: string, what: string): string {
  const b = vm.r.until(0x0a, VM_LIMITS.line);
  if (b === null) {
    if (vm.r.size - vm.r.pos <= VM_LIMITS.line)
      throw truncated(`${op} at byte ${at} ends without its ${what} line`);
    // CPython reads lines of any length: an import hidden behind a huge name must not pass silently
    vm.sink.onFinding({
      id: 'pickle.malformed-global',
      severity: 'high',
      title: `Pickle ${op} has an oversized ${what}`,
      detail: `${op} at byte ${at} has a ${what} longer than ${VM_LIMITS.line} bytes; what it imports cannot be checked.`,
      offset: at,
      key: String(at),
    });
    throw formatError(`${op} at byte ${at} has a ${what} longer than ${VM_LIMITS.line} bytes`);
  }
  if (b.length === 0) throw formatError(`${op} at byte ${at} has an empty ${what}`);
  return utf8Line(b, `${op} ${what}`, at);
}

/** Reads the two newline-terminated operands of GLOBAL / INST. */
export function readModuleAndName(vm: VmCore, at: number, op: string): [string, string] {
  const module = readNameLine(vm, at, op, 'module name');
  return [module, readNameLine(vm, at, op, 'global name')];
}

export function opStackGlobal(vm: VmCore, at: number): void {
  const name = vm.pop(at);
  const module = vm.pop(at);
  if (typeof module === 'string' && typeof name === 'string') {
    pushImport(vm, module, name, at);
    return;
  }
  // CPython raises "STACK_GLOBAL requires str" for real non-strings, but a value we could not
  // resolve statically (a call result, a mutated module attribute) may well be a str at run time
  vm.sink.onFinding({
    id: 'pickle.computed-global',
    severity: 'high',
    title: 'Pickle imports a global whose name is computed',
    detail: `STACK_GLOBAL at byte ${at} takes its module from ${describe(module)} and its name from ${describe(name)}; the import target is decided at load time, a way to hide code execution from scanners.`,
    offset: at,
    key: String(at),
  });
  vm.stack.push(OPAQUE.computedGlobal);
}

/** Shared by REDUCE/NEWOBJ/INST/OBJ: builds the call result and checks the callee. */
export function call(vm: VmCore, callee: Value, args: Value, kind: CallKind, at: number): Value {
  if (isGlobal(callee)) {
    const q = callee.qualified;
    const loader = NESTED_LOADERS.get(q);
    if (loader !== undefined || NESTED_LOADERS.has(q)) {
      const payload = nestedPayload(tupleItem(args, 0));
      if (payload) vm.sink.onNested(q, payload, at, loader);
    }
    if (CODECS_ENCODE.has(q) || BYTES_CTORS.has(q)) {
      const b = asBytes(args);
      if (b) return b;
    }
    if (GETATTR.has(q)) {
      // getattr(Global, 'attr') reaches module.name.attr: classify that too and treat it as a global
      const target = tupleItem(args, 0);
      const attr = tupleItem(args, 1);
      if (target !== undefined && isGlobal(target) && typeof attr === 'string') {
        const ref = vm.globalRef(target.module, `${target.name}.${attr}`, at);
        vm.sink.onImport(ref);
        return ref;
      }
    }
  } else if (isCall(callee) || (isOpaque(callee) && callee !== OPAQUE.computedGlobal)) {
    vm.sink.onFinding({
      id: 'pickle.indirect-call',
      severity: 'medium',
      title: 'Pickle calls an object that is not an imported global',
      detail: `${kind} at byte ${at} calls ${describe(callee)}; the callable is produced at load time, so what runs cannot be read from the file.`,
      offset: at,
      key: 'indirect',
    });
  }
  return new CallResult(vm.keep(callee), vm.keep(args), kind, at);
}

/** The bytes a deserializer would read: a bytes constant, or io.BytesIO(bytes). */
function nestedPayload(arg: Value | undefined): BytesValue | null {
  if (arg === undefined) return null;
  if (isBytes(arg)) return arg;
  if (isCall(arg) && isGlobal(arg.callee) && BYTES_IO.has(arg.callee.qualified)) {
    const inner = tupleItem(arg.args, 0);
    if (inner !== undefined && isBytes(inner)) return inner;
  }
  return null;
}

/** _codecs.encode(str, 'latin1') and bytes(b)/bytearray(b): how protocols 0-2 write bytes. */
function asBytes(args: Value): BytesValue | null {
  const a0 = tupleItem(args, 0);
  if (a0 !== undefined && isBytes(a0)) return a0;
  if (typeof a0 !== 'string') return null;
  const enc = tupleItem(args, 1);
  if (typeof enc !== 'string' || !LATIN1.has(enc.toLowerCase())) return null;
  const data = new Uint8Array(a0.length);
  for (let i = 0; i < a0.length; i++) {
    const c = a0.charCodeAt(i);
    if (c > 0xff) return null;
    data[i] = c;
  }
  return new BytesValue(-1, data.length, data);
}

export function opReduce(vm: VmCore, at: number): void {
  const args = vm.pop(at);
  const callee = vm.pop(at);
  vm.stack.push(call(vm, callee, args, 'REDUCE', at));
}

export function opNewobj(vm: VmCore, at: number, ex: boolean): void {
  if (ex) vm.pop(at); // kwargs
  const args = vm.pop(at);
  const cls = vm.pop(at);
  vm.stack.push(call(vm, cls, args, ex ? 'NEWOBJ_EX' : 'NEWOBJ', at));
}

/** Pops stack[k..] into a tuple value (first items kept, true count recorded). */
export function tupleFrom(vm: VmCore, k: number): SeqValue {
  const n = vm.stack.length - k;
  const t = new SeqValue(T_TUPLE, vm.takeItems(k, vm.tupleCap));
  t.n = n;
  return t;
}

export function opObj(vm: VmCore, at: number): void {
  const k = vm.popMark(at);
  if (vm.stack.length - k < 1) throw vm.underflow(at);
  const cls = vm.stack[k] as Value;
  const args = tupleFrom(vm, k + 1);
  vm.stack.length = k;
  vm.stack.push(call(vm, cls, args, 'OBJ', at));
}

export function opInst(vm: VmCore, at: number): void {
  const k = vm.popMark(at);
  const [module, name] = readModuleAndName(vm, at, 'INST');
  const args = tupleFrom(vm, k);
  const ref = vm.globalRef(module, name, at);
  vm.sink.onImport(ref);
  vm.stack.push(call(vm, ref, args, 'INST', at));
}

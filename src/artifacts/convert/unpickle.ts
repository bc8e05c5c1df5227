/**
 * A strict, concrete pickle evaluator for the subset torch.save writes. Unlike the scanner's
 * symbolic VM it keeps every value, but it imports nothing: GLOBAL, persistent ids, REDUCE and
 * BUILD go to hooks that accept only an allowlist. Opcodes torch never writes (INST, OBJ,
 * NEWOBJ_EX, EXT*, out-of-band buffers, protocol 0 text) are refused rather than interpreted.
 */
import { OP, opName } from '../formats/pickle/opcodes.js';
import { invalid, unsupported } from './errors.js';
import {
  PDict,
  PList,
  PTuple,
  UNPICKLE_LIMITS,
  dictKey,
  type PV,
  type UnpickleHooks,
} from './pickle-values.js';

export * from './pickle-values.js';

/** Evaluates one pickle stream held in `buf` and returns the value STOP pops. */
export function unpickle(buf: Uint8Array, hooks: UnpickleHooks): PV {
  return unpickleAt(buf, 0, hooks).value;
}

/** Evaluates the pickle stream starting at `start`; returns its value and where it ended. */
export function unpickleAt(buf: Uint8Array, start: number, hooks: UnpickleHooks): { value: PV; end: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const stack: PV[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PV>();
  let pos = start;
  let at = start;
  const need = (n: number): void => {
    if (n < 0 || pos + n > b.length) throw invalid(`pickle: data ends inside the opcode at byte ${at}`);
  };
  const u8 = (): number => (need(1), b[pos++]!);
  const uint = (n: 1 | 2 | 4 | 8): number => {
    need(n);
    const v = n === 8 ? Number(b.readBigUInt64LE(pos)) : b.readUIntLE(pos, n);
    pos += n;
    if (!Number.isSafeInteger(v)) throw invalid(`pickle: length at byte ${at} is too large`);
    return v;
  };
  const bytes = (n: number): Buffer => {
    need(n);
    pos += n;
    return b.subarray(pos - n, pos);
  };
  const push = (v: PV): void => {
    if (stack.length >= UNPICKLE_LIMITS.stack) throw invalid('pickle: stack too deep');
    stack.push(v);
  };
  const base = (): number => (marks.length ? marks[marks.length - 1]! : 0);
  const pop = (): PV => {
    if (stack.length <= base()) throw invalid(`pickle: stack underflow at byte ${at} (${opName(b[at]!)})`);
    return stack.pop() as PV;
  };
  const top = (): PV => {
    if (stack.length <= base()) throw invalid(`pickle: empty stack at byte ${at}`);
    return stack[stack.length - 1] as PV;
  };
  const popMark = (): PV[] => {
    const m = marks.pop();
    if (m === undefined) throw invalid(`pickle: no MARK for the opcode at byte ${at}`);
    return stack.splice(m);
  };
  const memoPut = (i: number): void => {
    if (memo.size >= UNPICKLE_LIMITS.memo && !memo.has(i)) throw invalid('pickle: memo too large');
    memo.set(i, top());
  };
  const memoGet = (i: number): void => {
    if (!memo.has(i)) throw invalid(`pickle: memo index ${i} at byte ${at} was never set`);
    push(memo.get(i) as PV);
  };
  const setItems = (items: PV[]): void => {
    const d = pop();
    if (!(d instanceof PDict)) throw unsupported(`pickle: SETITEM(S) at byte ${at} on a non-dict`);
    if (items.length % 2) throw invalid(`pickle: odd number of items for SETITEMS at byte ${at}`);
    for (let i = 0; i < items.length; i += 2) d.map.set(dictKey(items[i]!, at), items[i + 1]!);
    push(d);
  };
  const appendItems = (items: PV[]): void => {
    const l = top();
    if (!(l instanceof PList)) throw unsupported(`pickle: APPEND(S) at byte ${at} on a non-list`);
    for (const x of items) l.items.push(x);
  };
  const str = (n: number): string => bytes(n).toString('utf8');
  const long = (n: number): PV => {
    if (n > 64) throw unsupported(`pickle: integer of ${n} bytes at byte ${at}`);
    const raw = bytes(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
    if (raw[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  };

  for (;;) {
    at = pos;
    if (pos >= b.length) throw invalid('pickle: data ends without a STOP opcode');
    const op = b[pos++]!;
    switch (op) {
      case OP.PROTO:
        if (u8() > 5) throw unsupported(`pickle: protocol above 5 at byte ${at}`);
        break;
      case OP.FRAME:
        uint(8);
        break;
      case OP.STOP:
        if (stack.length !== 1 || marks.length)
          throw invalid('pickle: STOP with a stack that is not one value');
        return { value: stack[0] as PV, end: pos };
      case OP.MARK:
        if (marks.length >= UNPICKLE_LIMITS.marks) throw invalid('pickle: too many marks');
        marks.push(stack.length);
        break;
      case OP.POP:
        if (marks.length && marks[marks.length - 1] === stack.length) marks.pop();
        else pop();
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.DUP:
        push(top());
        break;
      case OP.NONE:
        push(null);
        break;
      case OP.NEWTRUE:
        push(true);
        break;
      case OP.NEWFALSE:
        push(false);
        break;
      case OP.BININT1:
        push(uint(1));
        break;
      case OP.BININT2:
        push(uint(2));
        break;
      case OP.BININT:
        need(4);
        push(b.readInt32LE(pos));
        pos += 4;
        break;
      case OP.LONG1:
        push(long(u8()));
        break;
      case OP.LONG4:
        push(long(uint(4)));
        break;
      case OP.BINFLOAT:
        need(8);
        push(b.readDoubleBE(pos));
        pos += 8;
        break;
      case OP.SHORT_BINUNICODE:
        push(str(u8()));
        break;
      case OP.BINUNICODE:
        push(str(uint(4)));
        break;
      case OP.BINUNICODE8:
        push(str(uint(8)));
        break;
      case OP.SHORT_BINSTRING:
        push(bytes(u8()).toString('latin1'));
        break;
      case OP.BINSTRING:
        push(bytes(uint(4)).toString('latin1'));
        break;
      case OP.SHORT_BINBYTES:
        push(Uint8Array.from(bytes(u8())));
        break;
      case OP.BINBYTES:
        push(Uint8Array.from(bytes(uint(4))));
        break;
      case OP.BINBYTES8:
        push(Uint8Array.from(bytes(uint(8))));
        break;
      case OP.EMPTY_TUPLE:
        push(new PTuple([]));
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (stack.length - base() < n) throw invalid(`pickle: stack underflow at byte ${at}`);
        push(new PTuple(stack.splice(stack.length - n)));
        break;
      }
      case OP.TUPLE:
        push(new PTuple(popMark()));
        break;
      case OP.EMPTY_LIST:
        push(new PList());
        break;
      case OP.LIST:
        push(new PList(popMark()));
        break;
      case OP.APPEND:
        appendItems([pop()]);
        break;
      case OP.APPENDS:
        appendItems(popMark());
        break;
      case OP.EMPTY_DICT:
        push(new PDict());
        break;
      case OP.DICT: {
        const items = popMark();
        push(new PDict());
        setItems(items);
        break;
      }
      case OP.SETITEM: {
        const v = pop();
        const k = pop();
        setItems([k, v]);
        break;
      }
      case OP.SETITEMS:
        setItems(popMark());
        break;
      case OP.BINPUT:
        memoPut(u8());
        break;
      case OP.LONG_BINPUT:
        memoPut(uint(4));
        break;
      case OP.MEMOIZE:
        memoPut(memo.size);
        break;
      case OP.BINGET:
        memoGet(u8());
        break;
      case OP.LONG_BINGET:
        memoGet(uint(4));
        break;
      case OP.GLOBAL: {
        const end1 = b.indexOf(0x0a, pos);
        const end2 = end1 < 0 ? -1 : b.indexOf(0x0a, end1 + 1);
        if (end2 < 0 || end2 - pos > 512)
          throw invalid(`pickle: GLOBAL at byte ${at} is not two short lines`);
        const module = b.toString('utf8', pos, end1);
        const name = b.toString('utf8', end1 + 1, end2);
        pos = end2 + 1;
        push(hooks.global(module, name, at));
        break;
      }
      case OP.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw unsupported(`pickle: STACK_GLOBAL at byte ${at} on operands that are not strings`);
        push(hooks.global(module, name, at));
        break;
      }
      case OP.BINPERSID:
        push(hooks.persistentLoad(pop(), at));
        break;
      case OP.REDUCE:
      case OP.NEWOBJ: {
        const args = pop();
        const callee = pop();
        if (!(args instanceof PTuple))
          throw unsupported(`pickle: ${opName(op)} at byte ${at} without a tuple`);
        push(hooks.call(callee, args, at));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        hooks.build(top(), state, at);
        break;
      }
      default:
        throw unsupported(`pickle: opcode ${opName(op)} at byte ${at} is not part of what torch.save writes`);
    }
  }
}

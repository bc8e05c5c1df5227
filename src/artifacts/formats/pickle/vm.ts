/**
 * The symbolic pickle VM: one tight switch over a SeqReader, executing every opcode of protocols
 * 0-5 on symbolic values without importing or calling anything. Large operands are skipped in the
 * source, never copied; memory stays bounded by VmCore's caps whatever the file size.
 */
import { formatError, limitExceeded } from '../../errors.js';
import { opBuild } from './build.js';
import { opInst, opNewobj, opObj, opReduce, opStackGlobal, pushImport, readModuleAndName } from './calls.js';
import {
  opAdditems,
  opAppend,
  opAppends,
  opDictMark,
  opFrozenset,
  opListMark,
  opSetitem,
  opSetitems,
  opTupleMark,
  opTupleN,
} from './containers.js';
import { HIGHEST_PROTOCOL, OP } from './opcodes.js';
import { VmOperands } from './operands.js';
import { VM_LIMITS } from './state.js';
import { DictValue, OPAQUE, SeqValue, T_LIST, T_SET, type Value } from './values.js';

const MAX_STACK = VM_LIMITS.stack;

export class PickleVM extends VmOperands {
  /** Set when the stream ended early on purpose (unparsable joblib data): the rest is not pickle. */
  halted: string | null = null;
  /** The value STOP popped: the unpickled object, symbolically. */
  result: Value = null;

  /** Executes opcodes from the reader's position up to and including the next STOP. */
  run(): void {
    const r = this.r;
    const stack = this.stack;
    for (;;) {
      const at = r.pos;
      const op = r.u8();
      if ((++this.ops & 0xffff) === 0) this.opts.tick();
      switch (op) {
        case OP.BININT1:
          stack.push(this.u8(at));
          break;
        case OP.BININT2:
          stack.push(this.u16(at));
          break;
        case OP.BININT:
          stack.push(this.i32(at));
          break;
        case OP.SHORT_BINUNICODE:
          stack.push(this.str(this.u8(at), at));
          break;
        case OP.BINUNICODE:
          stack.push(this.str(this.u32(at), at));
          break;
        case OP.BINUNICODE8:
          stack.push(this.str(this.u64(at), at));
          break;
        case OP.MEMOIZE:
          this.memoPut(this.memoSize(), this.top(at));
          break;
        case OP.BINPUT:
          this.memoPut(this.u8(at), this.top(at));
          break;
        case OP.LONG_BINPUT: {
          const idx = this.u32(at);
          this.memoPut(idx, this.top(at));
          break;
        }
        case OP.BINGET:
          stack.push(this.memoGet(this.u8(at), at));
          break;
        case OP.LONG_BINGET:
          stack.push(this.memoGet(this.u32(at), at));
          break;
        case OP.MARK:
          this.pushMark();
          break;
        case OP.APPENDS:
          opAppends(this, at);
          break;
        case OP.APPEND:
          opAppend(this, at);
          break;
        case OP.SETITEMS:
          opSetitems(this, at);
          break;
        case OP.SETITEM:
          opSetitem(this, at);
          break;
        case OP.EMPTY_LIST:
          stack.push(new SeqValue(T_LIST, []));
          break;
        case OP.EMPTY_DICT:
          stack.push(new DictValue());
          break;
        case OP.EMPTY_TUPLE:
          opTupleN(this, 0, at);
          break;
        case OP.TUPLE1:
          opTupleN(this, 1, at);
          break;
        case OP.TUPLE2:
          opTupleN(this, 2, at);
          break;
        case OP.TUPLE3:
          opTupleN(this, 3, at);
          break;
        case OP.TUPLE:
          opTupleMark(this, at);
          break;
        case OP.LIST:
          opListMark(this, at);
          break;
        case OP.DICT:
          opDictMark(this, at);
          break;
        case OP.EMPTY_SET:
          stack.push(new SeqValue(T_SET, []));
          break;
        case OP.ADDITEMS:
          opAdditems(this, at);
          break;
        case OP.FROZENSET:
          opFrozenset(this, at);
          break;
        case OP.NONE:
          stack.push(null);
          break;
        case OP.NEWTRUE:
          stack.push(true);
          break;
        case OP.NEWFALSE:
          stack.push(false);
          break;
        case OP.BINFLOAT:
          stack.push(this.f64(at));
          break;
        case OP.LONG1:
          stack.push(this.long(this.u8(at), at));
          break;
        case OP.LONG4: {
          const n = this.i32(at);
          if (n < 0) throw formatError(`LONG4 at byte ${at} has a negative byte count`);
          stack.push(this.long(n, at));
          break;
        }
        case OP.SHORT_BINBYTES:
          stack.push(this.blob(this.u8(at), at));
          break;
        case OP.BINBYTES:
          stack.push(this.blob(this.u32(at), at));
          break;
        case OP.BINBYTES8:
        case OP.BYTEARRAY8:
          stack.push(this.blob(this.u64(at), at));
          break;
        case OP.SHORT_BINSTRING:
          stack.push(this.latin1Str(this.u8(at), at));
          break;
        case OP.BINSTRING: {
          const n = this.i32(at);
          if (n < 0) throw formatError(`BINSTRING at byte ${at} has a negative length`);
          stack.push(this.latin1Str(n, at));
          break;
        }
        case OP.POP:
          // CPython: a MARK sitting exactly at the top is popped instead of a value
          if (this.marks.length && this.marks[this.marks.length - 1] === stack.length) this.popMark(at);
          else this.pop(at);
          break;
        case OP.POP_MARK:
          stack.length = this.popMark(at);
          break;
        case OP.DUP:
          stack.push(this.top(at));
          break;
        case OP.STACK_GLOBAL:
          opStackGlobal(this, at);
          break;
        case OP.GLOBAL: {
          const [module, name] = readModuleAndName(this, at, 'GLOBAL');
          pushImport(this, module, name, at);
          break;
        }
        case OP.REDUCE:
          opReduce(this, at);
          break;
        case OP.BUILD:
          if (!opBuild(this, at)) {
            this.halted = 'joblib-unparsed';
            return;
          }
          break;
        case OP.NEWOBJ:
          opNewobj(this, at, false);
          break;
        case OP.NEWOBJ_EX:
          opNewobj(this, at, true);
          break;
        case OP.OBJ:
          opObj(this, at);
          break;
        case OP.INST:
          opInst(this, at);
          break;
        case OP.BINPERSID:
          this.pop(at);
          this.persids++;
          stack.push(OPAQUE.persid);
          break;
        case OP.PROTO: {
          const p = this.u8(at);
          if (p > HIGHEST_PROTOCOL) throw formatError(`unsupported pickle protocol ${p} at byte ${at}`);
          this.proto = p;
          break;
        }
        case OP.FRAME:
          // framing is a read-ahead hint: payload inside an overstated frame still gets reported
          this.u64(at);
          break;
        case OP.STOP:
          this.result = this.pop(at);
          return;
        default:
          this.slowOp(op, at);
      }
      if (stack.length > MAX_STACK) throw limitExceeded(`pickle stack deeper than ${MAX_STACK}`);
    }
  }

  runInline(): void {
    const child = new PickleVM(this.r, this.sink, { ...this.opts, joblib: false });
    try {
      child.run();
    } finally {
      this.ops += child.ops;
      this.persids += child.persids;
    }
  }
}

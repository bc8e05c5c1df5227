/**
 * A small pickle builder that emits valid streams for protocols 0-5, picking the same opcodes as
 * CPython's pickler for each protocol. Used by tests, benchmarks and the demo's sample files:
 *
 *   new PickleWriter(4).global('os', 'system').str('echo hi').tuple1().reduce().stop().bytes()
 */
import { PickleEncoder } from './encoder.js';
import { OP } from './opcodes.js';

export class PickleWriter extends PickleEncoder {
  private memoCount = 0;

  /** A Python bytes value: SHORT_BINBYTES/BINBYTES/BINBYTES8 (3+), else _codecs.encode as CPython does. */
  binary(data: Uint8Array): this {
    if (this.protocol < 3)
      return this.global('_codecs', 'encode')
        .str(String.fromCharCode(...data))
        .str('latin1')
        .tuple2()
        .reduce();
    if (data.length < 256) return this.op(OP.SHORT_BINBYTES).le(data.length, 1).raw(data);
    if (data.length < 2 ** 32) return this.op(OP.BINBYTES).le(data.length, 4).raw(data);
    return this.op(OP.BINBYTES8).le(data.length, 8).raw(data);
  }

  /** GLOBAL opcode (any protocol). */
  global(module: string, name: string): this {
    return this.op(OP.GLOBAL).line(module).line(name);
  }

  /** Module and name strings then STACK_GLOBAL, as protocol 4+ writes imports. */
  stackGlobal(module: string, name: string): this {
    return this.str(module).str(name).op(OP.STACK_GLOBAL);
  }

  emptyTuple(): this {
    return this.op(OP.EMPTY_TUPLE);
  }
  tuple(): this {
    return this.op(OP.TUPLE);
  }
  tuple1(): this {
    return this.op(OP.TUPLE1);
  }
  tuple2(): this {
    return this.op(OP.TUPLE2);
  }
  tuple3(): this {
    return this.op(OP.TUPLE3);
  }
  emptyList(): this {
    return this.op(OP.EMPTY_LIST);
  }
  list(): this {
    return this.op(OP.LIST);
  }
  emptyDict(): this {
    return this.op(OP.EMPTY_DICT);
  }
  dict(): this {
    return this.op(OP.DICT);
  }
  emptySet(): this {
    return this.op(OP.EMPTY_SET);
  }
  frozenset(): this {
    return this.op(OP.FROZENSET);
  }
  append(): this {
    return this.op(OP.APPEND);
  }
  appends(): this {
    return this.op(OP.APPENDS);
  }
  setitem(): this {
    return this.op(OP.SETITEM);
  }
  setitems(): this {
    return this.op(OP.SETITEMS);
  }
  additems(): this {
    return this.op(OP.ADDITEMS);
  }
  reduce(): this {
    return this.op(OP.REDUCE);
  }
  build(): this {
    return this.op(OP.BUILD);
  }
  newobj(): this {
    return this.op(OP.NEWOBJ);
  }
  newobjEx(): this {
    return this.op(OP.NEWOBJ_EX);
  }
  obj(): this {
    return this.op(OP.OBJ);
  }
  /** INST: pops the items above the mark as arguments of module.name. */
  inst(module: string, name: string): this {
    return this.op(OP.INST).line(module).line(name);
  }

  /** MEMOIZE (4+) or a PUT at the next free index, as CPython's pickler memoizes. */
  memoize(): this {
    if (this.protocol < 4) return this.put(this.memoCount);
    this.memoCount++;
    return this.op(OP.MEMOIZE);
  }
  put(i: number): this {
    this.memoCount = Math.max(this.memoCount, i + 1);
    if (this.protocol === 0) return this.op(OP.PUT).line(String(i));
    return i < 256 ? this.op(OP.BINPUT).le(i, 1) : this.op(OP.LONG_BINPUT).le(i, 4);
  }
  get(i: number): this {
    if (this.protocol === 0) return this.op(OP.GET).line(String(i));
    return i < 256 ? this.op(OP.BINGET).le(i, 1) : this.op(OP.LONG_BINGET).le(i, 4);
  }

  persid(id: string): this {
    return this.op(OP.PERSID).line(id);
  }
  binpersid(): this {
    return this.op(OP.BINPERSID);
  }
  ext(code: number): this {
    if (code < 256) return this.op(OP.EXT1).le(code, 1);
    return code < 65536 ? this.op(OP.EXT2).le(code, 2) : this.op(OP.EXT4).le(code, 4);
  }
  nextBuffer(): this {
    return this.op(OP.NEXT_BUFFER);
  }
  readonlyBuffer(): this {
    return this.op(OP.READONLY_BUFFER);
  }

  /** module.name(*args) with str/int/bytes/None arguments: GLOBAL, MARK, args, TUPLE, REDUCE. */
  call(module: string, name: string, ...args: (string | number | Uint8Array | null)[]): this {
    this.global(module, name).mark();
    for (const a of args) {
      if (a === null) this.none();
      else if (typeof a === 'string') this.str(a);
      else if (typeof a === 'number') this.int(a);
      else this.binary(a);
    }
    return this.tuple().reduce();
  }
}

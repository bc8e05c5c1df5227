import { describe, expect, it } from 'vitest';
import { SeqReader, bufferSource, isWardenError } from '../../../core/index.js';
import { OP } from './opcodes.js';
import { py, picklePy } from './samples.js';
import type { VmFinding, VmSink } from './sink.js';
import { isBytes, isCall, isDict, isGlobal, isObj, T_LIST, T_SET, T_TUPLE, type Value } from './values.js';
import { PickleVM } from './vm.js';
import { PickleWriter } from './writer.js';

/** Runs one stream and records everything the VM reports. */
function exec(bytes: Uint8Array | number[]) {
  const imports: string[] = [];
  const findings: VmFinding[] = [];
  const nested: { loader: string; offset: number; length: number }[] = [];
  const sink: VmSink = {
    onImport: (ref) => imports.push(`${ref.qualified}@${ref.offset}`),
    onFinding: (f) => findings.push(f),
    onNested: (loader, b) => nested.push({ loader, offset: b.offset, length: b.length }),
  };
  const data = Uint8Array.from(bytes);
  const vm = new PickleVM(new SeqReader(bufferSource(data), 4096), sink, { joblib: true, tick() {} });
  let error: unknown = null;
  try {
    vm.run();
  } catch (e) {
    error = e;
  }
  return { vm, value: vm.result, imports, findings, nested, error, ids: findings.map((f) => f.id) };
}

function code(error: unknown): string | null {
  return isWardenError(error)
    ? error.code
    : error === null
      ? null
      : `non-warden: ${(error as Error).message}`;
}

/** A JSON-friendly view of a symbolic value. */
function plain(v: Value): unknown {
  if (!isObj(v)) return typeof v === 'bigint' ? `${v}n` : v;
  if (isGlobal(v)) return { global: v.qualified };
  if (isCall(v))
    return { call: plain(v.callee), args: plain(v.args), ...(v.built ? { state: plain(v.state) } : {}) };
  if (isDict(v))
    return Object.fromEntries(v.keys.map((k, i) => [String(plain(k)), plain(v.vals[i] as Value)]));
  if (isBytes(v)) return { bytes: v.length };
  if (v.t === T_TUPLE) return { tuple: v.items.map(plain) };
  if (v.t === T_LIST) return v.items.map(plain);
  if (v.t === T_SET) return { set: v.items.map(plain) };
  if (v.t === 9) return { opaque: v.kind };
  return { frozenset: v.items.map(plain) };
}

describe('pickle VM: constants', () => {
  it('decodes a CPython protocol 2 list of every constant kind', () => {
    // pickle.dumps([1, 'a', b'x', (1, 2), {'k': None}, True, 1.5, 300, 70000, -5, 2**70], 2)
    const p2 = [
      128, 2, 93, 113, 0, 40, 75, 1, 88, 1, 0, 0, 0, 97, 113, 1, 99, 95, 99, 111, 100, 101, 99, 115, 10, 101,
      110, 99, 111, 100, 101, 10, 113, 2, 88, 1, 0, 0, 0, 120, 113, 3, 88, 6, 0, 0, 0, 108, 97, 116, 105, 110,
      49, 113, 4, 134, 113, 5, 82, 113, 6, 75, 1, 75, 2, 134, 113, 7, 125, 113, 8, 88, 1, 0, 0, 0, 107, 113,
      9, 78, 115, 136, 71, 63, 248, 0, 0, 0, 0, 0, 0, 77, 44, 1, 74, 112, 17, 1, 0, 74, 251, 255, 255, 255,
      138, 9, 0, 0, 0, 0, 0, 0, 0, 0, 64, 101, 46,
    ];
    const r = exec(p2);
    expect(r.error).toBeNull();
    expect(plain(r.value)).toEqual([
      1,
      'a',
      { bytes: 1 }, // _codecs.encode('x', 'latin1') is how protocol 2 writes bytes
      { tuple: [1, 2] },
      { k: null },
      true,
      1.5,
      300,
      70000,
      -5,
      `${2n ** 70n}n`,
    ]);
    expect(r.imports).toEqual(['_codecs.encode@16']);
  });

  it('decodes the same list written with protocol 0 text opcodes', () => {
    const p0 = Buffer.from(
      '(lp0\nI1\naVa\np1\na(I1\nI2\ntp2\na(dp3\nVk\np4\nNsaI01\naF1.5\naI300\naI70000\naI-5\naL1180591620717411303424L\na.',
      'latin1',
    );
    const r = exec(p0);
    expect(r.error).toBeNull();
    expect(plain(r.value)).toEqual([
      1,
      'a',
      { tuple: [1, 2] },
      { k: null },
      true,
      1.5,
      300,
      70000,
      -5,
      `${2n ** 70n}n`,
    ]);
  });

  it('handles integer edge cases of LONG1/LONG4 and BININT', () => {
    for (const v of [
      0,
      1,
      127,
      128,
      255,
      256,
      65535,
      65536,
      -1,
      -128,
      -129,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 40,
      -(2 ** 47),
    ]) {
      expect(plain(exec(new PickleWriter(2).int(v).stop().bytes()).value)).toBe(v);
    }
    for (const v of [2n ** 63n, -(2n ** 63n), 2n ** 200n, -(2n ** 300n) + 1n]) {
      expect(plain(exec(new PickleWriter(4).int(v).stop().bytes()).value)).toBe(`${v}n`);
    }
    const long4 = new PickleWriter(4).op(OP.LONG4).raw([2, 0, 0, 0, 0x01, 0x80]).stop().bytes();
    expect(plain(exec(long4).value)).toBe(-32767);
    expect(
      code(exec(new PickleWriter(4).op(OP.LONG4).raw([0xff, 0xff, 0xff, 0xff]).stop().bytes()).error),
    ).toBe('FORMAT_INVALID');
  });

  it('decodes strings of every opcode, including UTF-8 and protocol 0 escapes', () => {
    const w = new PickleWriter(4).mark();
    w.str('héllo ✓ 😀').str('plain').str('x'.repeat(300));
    w.op(OP.BINUNICODE8).raw([2, 0, 0, 0, 0, 0, 0, 0]).raw([0x68, 0x69]);
    w.op(OP.SHORT_BINSTRING).raw([3, 0x61, 0xe9, 0x62]);
    w.op(OP.BINSTRING).raw([1, 0, 0, 0, 0x7a]);
    w.op(OP.STRING).raw(Buffer.from("'a\\'b\\n\\x41\\101\\\\'\n", 'latin1'));
    w.op(OP.UNICODE).raw(Buffer.from('caf\xe9 \\u2713 \\\\u0041 \\U0001F600\n', 'latin1'));
    const r = exec(w.tuple().stop().bytes());
    expect(r.error).toBeNull();
    expect(plain(r.value)).toEqual({
      tuple: ['héllo ✓ 😀', 'plain', 'x'.repeat(300), 'hi', 'aéb', 'z', "a'b\nAA\\", 'café ✓ \\\\u0041 😀'],
    });
  });

  it('round-trips protocol 0 strings written by the writer (escaped backslash, newline, non-Latin-1)', () => {
    const s = 'a\\b\nc\r\u0000ü€😀';
    expect(exec(new PickleWriter(0).str(s).stop().bytes()).value).toBe(s);
  });

  it('rejects malformed protocol 0 operands like CPython', () => {
    expect(code(exec(Buffer.from("Sunquoted'\n.", 'latin1')).error)).toBe('FORMAT_INVALID');
    expect(code(exec(Buffer.from('Iabc\n.', 'latin1')).error)).toBe('FORMAT_INVALID');
    expect(code(exec(Buffer.from('Fnope\n.', 'latin1')).error)).toBe('FORMAT_INVALID');
    expect(code(exec(Buffer.from('V\\u12\n.', 'latin1')).error)).toBe('FORMAT_INVALID');
    expect(code(exec(Buffer.from('I12', 'latin1')).error)).toBe('TRUNCATED');
    expect(plain(exec(Buffer.from('Finf\n.', 'latin1')).value)).toBe(Infinity);
  });

  it('locates bytes operands and skips large ones without decoding', () => {
    const big = new Uint8Array(200_000).fill(0x63); // 'c' bytes: must not be read as opcodes
    const w = new PickleWriter(5).mark().binary(Uint8Array.of(1, 2)).binary(big).bytearray(Uint8Array.of(9));
    w.op(OP.BINBYTES8).raw([3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
    w.str('y'.repeat(100_000)); // longer than the inline string limit: skipped, opaque
    const r = exec(w.tuple().stop().bytes());
    expect(r.error).toBeNull();
    expect(plain(r.value)).toEqual({
      tuple: [{ bytes: 2 }, { bytes: 200_000 }, { bytes: 1 }, { bytes: 3 }, { opaque: 'long-string' }],
    });
    expect(r.imports).toEqual([]);
  });

  it('reports TRUNCATED for operands past the end, including 2^63 lengths', () => {
    const huge = [0, 0, 0, 0, 0, 0, 0, 0x80];
    expect(code(exec([0x80, 4, OP.BINBYTES8, ...huge, 0x2e]).error)).toBe('TRUNCATED');
    expect(code(exec([0x80, 4, OP.BINUNICODE8, ...huge, 0x2e]).error)).toBe('TRUNCATED');
    expect(code(exec([0x80, 4, OP.BINBYTES, 0xff, 0xff, 0xff, 0x7f, 0x2e]).error)).toBe('TRUNCATED');
    expect(code(exec([0x80, 4, OP.SHORT_BINUNICODE, 9, 0x61]).error)).toBe('TRUNCATED');
    expect(code(exec([0x80, 4, OP.NONE]).error)).toBe('TRUNCATED');
    expect(code(exec([0x80, 4, OP.BININT]).error)).toBe('TRUNCATED');
  });

  it('treats FRAME as a hint: a huge or overstated frame length is not an error', () => {
    const r = exec([0x80, 4, OP.FRAME, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, OP.NONE, OP.STOP]);
    expect(r.error).toBeNull();
    expect(r.value).toBeNull();
  });

  it('rejects unknown opcodes and protocols above 5', () => {
    expect(code(exec([0x80, 6, 0x4e, 0x2e]).error)).toBe('FORMAT_INVALID');
    expect(code(exec([0x80, 4, 0x0a]).error)).toBe('FORMAT_INVALID');
    expect(code(exec([0x80, 4, 0xff]).error)).toBe('FORMAT_INVALID');
  });
});

describe('pickle VM: stack, marks and containers', () => {
  it('builds lists, dicts, sets and frozensets with batches', () => {
    const w = new PickleWriter(4).mark();
    w.emptyList().mark().int(1).int(2).appends().int(3).append();
    w.emptyDict().mark().str('a').int(1).str('b').int(2).setitems().str('c').none().setitem();
    w.emptySet().mark().int(7).int(8).additems();
    w.mark().int(5).frozenset();
    w.mark().str('x').int(1).dict();
    w.mark().int(1).list();
    w.emptyTuple().mark().tuple();
    const r = exec(w.tuple().stop().bytes());
    expect(r.error).toBeNull();
    expect(plain(r.value)).toEqual({
      tuple: [
        [1, 2, 3],
        { a: 1, b: 2, c: null },
        { set: [7, 8] },
        { frozenset: [5] },
        { x: 1 },
        [1],
        { tuple: [] },
        { tuple: [] },
      ],
    });
  });

  it('keeps only the first items of big containers but counts them all', () => {
    const w = new PickleWriter(4).emptyList().mark();
    for (let i = 0; i < 5000; i++) w.int(i);
    const r = exec(w.appends().stop().bytes());
    const v = r.value;
    expect(isObj(v) && v.t === T_LIST ? [v.n, v.items.length] : null).toEqual([5000, 32]);
  });

  it('follows CPython POP semantics: a MARK at the top is popped instead of a value', () => {
    expect(plain(exec([0x80, 2, OP.BININT1, 7, OP.MARK, OP.POP, OP.STOP]).value)).toBe(7);
    expect(plain(exec([0x80, 2, OP.BININT1, 7, OP.BININT1, 8, OP.POP, OP.STOP]).value)).toBe(7);
    expect(plain(exec([0x80, 2, OP.BININT1, 7, OP.MARK, OP.BININT1, 8, OP.POP_MARK, OP.STOP]).value)).toBe(7);
    expect(plain(exec([0x80, 2, OP.BININT1, 7, OP.DUP, OP.TUPLE2, OP.STOP]).value)).toEqual({
      tuple: [7, 7],
    });
  });

  it('raises FORMAT_INVALID on underflow, values below a MARK, missing MARK and odd DICT', () => {
    const cases = [
      [0x80, 2, OP.STOP],
      [0x80, 2, OP.POP],
      [0x80, 2, OP.DUP],
      [0x80, 2, OP.BININT1, 1, OP.MARK, OP.TUPLE1],
      [0x80, 2, OP.BININT1, 1, OP.MARK, OP.STOP],
      [0x80, 2, OP.BININT1, 1, OP.APPENDS],
      [0x80, 2, OP.MARK, OP.BININT1, 1, OP.DICT],
      [0x80, 2, OP.EMPTY_DICT, OP.MARK, OP.BININT1, 1, OP.SETITEMS],
      [0x80, 2, OP.MARK, OP.BININT1, 1, OP.APPENDS, OP.STOP], // APPENDS needs a list below the mark
      [0x80, 2, OP.BININT1, 1, OP.BUILD],
      [0x80, 2, OP.REDUCE],
      [0x80, 4, OP.STACK_GLOBAL],
      [0x80, 2, OP.MARK, OP.OBJ],
    ];
    for (const c of cases) expect(code(exec(c).error), c.join(',')).toBe('FORMAT_INVALID');
  });

  it('refuses stacks and mark stacks past their limits', () => {
    const deep = new Uint8Array(1_000_010).fill(OP.NONE);
    expect(code(exec(deep).error)).toBe('LIMIT_EXCEEDED');
    const marks = new Uint8Array(1_000_010).fill(OP.MARK);
    expect(code(exec(marks).error)).toBe('LIMIT_EXCEEDED');
  });

  it('survives deeply nested tuples without recursion or unbounded retention', () => {
    const w = new PickleWriter(4).none();
    for (let i = 0; i < 200_000; i++) w.tuple1();
    const r = exec(w.stop().bytes());
    expect(r.error).toBeNull();
    expect(isObj(r.value) ? r.value.d : -1).toBeLessThanOrEqual(33);
  });
});

describe('pickle VM: memo', () => {
  it('MEMOIZE stores at len(memo), counting sparse PUT indexes', () => {
    // PUT 5 'a'; MEMOIZE 'b' -> index 1 (memo holds 2 keys); GET 1 == 'b'; GET 5 == 'a'
    const w = new PickleWriter(4).str('a').put(5).pop().str('b').op(OP.MEMOIZE).pop();
    const r = exec(w.get(1).get(5).tuple2().stop().bytes());
    expect(plain(r.value)).toEqual({ tuple: ['b', 'a'] });
  });

  it('handles scattered PUT indexes like CPython (holes, far indexes, MEMOIZE at len(memo))', () => {
    const w = new PickleWriter(4).str('a').put(5).put(3_000_000_000).pop().str('b').put(70_000).pop();
    w.str('c').op(OP.MEMOIZE).pop(); // memo holds 3 keys: MEMOIZE stores at index 3 (a hole)
    w.str('d').put(5).pop(); // overwrite
    w.mark().get(3).get(5).get(70_000).get(3_000_000_000).tuple();
    expect(plain(exec(w.stop().bytes()).value)).toEqual({ tuple: ['c', 'd', 'b', 'a'] });
    expect(code(exec(new PickleWriter(4).none().put(7).get(6).stop().bytes()).error)).toBe('FORMAT_INVALID');
  });

  it('supports PUT/GET text forms, LONG_BINPUT/LONG_BINGET and overwriting', () => {
    const w = new PickleWriter(4).str('x').put(300).pop().int(5).put(300).pop().get(300);
    w.op(OP.PUT).raw(Buffer.from('7\n')).op(OP.GET).raw(Buffer.from('7\n')).tuple2();
    expect(plain(exec(w.stop().bytes()).value)).toEqual({ tuple: [5, 5] });
  });

  it('round-trips memoized strings through the arena, wide characters included', () => {
    const w = new PickleWriter(4);
    const words = ['alpha', 'ü-latin1', 'wide ✓', '', 'x'.repeat(1000)];
    for (const s of words) w.str(s).memoize().pop();
    w.mark();
    for (let i = 0; i < words.length; i++) w.get(i);
    expect(plain(exec(w.tuple().stop().bytes()).value)).toEqual({ tuple: words });
  });

  it('raises FORMAT_INVALID for a GET of a missing key and negative text indexes', () => {
    expect(code(exec([0x80, 2, OP.BINGET, 3, OP.STOP]).error)).toBe('FORMAT_INVALID');
    expect(code(exec(Buffer.from('N p-1\n.'.replace(' ', ''), 'latin1')).error)).toBe('FORMAT_INVALID');
    expect(code(exec([0x80, 2, OP.BINPUT, 0]).error)).toBe('FORMAT_INVALID'); // nothing to memoize
  });
});

describe('pickle VM: imports and calls', () => {
  it('reports GLOBAL, STACK_GLOBAL and INST imports with their offsets', () => {
    const w = new PickleWriter(4).global('os', 'system').pop();
    w.stackGlobal('builtins', 'eval').pop();
    w.mark().str('a').inst('collections', 'OrderedDict');
    const r = exec(w.stop().bytes());
    expect(r.imports).toEqual(['os.system@2', 'builtins.eval@30', 'collections.OrderedDict@36']);
  });

  it('resolves STACK_GLOBAL operands fetched from the memo', () => {
    const w = new PickleWriter(4).str('subprocess').memoize().pop().str('call').memoize().pop();
    w.get(0).get(1).op(OP.STACK_GLOBAL);
    const r = exec(w.str('id').tuple1().reduce().stop().bytes());
    expect(r.imports).toEqual(['subprocess.call@28']);
    expect(plain(r.value)).toEqual({ call: { global: 'subprocess.call' }, args: { tuple: ['id'] } });
  });

  it('flags STACK_GLOBAL whose operands are not constant strings', () => {
    const w = new PickleWriter(4).stackGlobal('builtins', 'str').str('os').tuple1().reduce(); // str('os'): computed
    const r = exec(w.str('system').op(OP.STACK_GLOBAL).stop().bytes());
    expect(r.ids).toContain('pickle.computed-global');
    expect(r.findings.find((f) => f.id === 'pickle.computed-global')?.severity).toBe('high');
    const viaInt = exec(new PickleWriter(4).int(42).str('os').op(OP.STACK_GLOBAL).stop().bytes());
    expect(viaInt.ids).toEqual(['pickle.computed-global']);
  });

  it('builds calls for REDUCE, NEWOBJ, NEWOBJ_EX, OBJ and INST', () => {
    const w = new PickleWriter(4).mark();
    w.stackGlobal('m', 'f').int(1).tuple1().reduce();
    w.stackGlobal('m', 'C').emptyTuple().newobj();
    w.stackGlobal('m', 'D').emptyTuple().emptyDict().newobjEx();
    w.mark().stackGlobal('m', 'E').int(2).obj();
    w.mark().int(3).inst('m', 'F');
    const r = exec(w.tuple().stop().bytes());
    expect(plain(r.value)).toEqual({
      tuple: [
        { call: { global: 'm.f' }, args: { tuple: [1] } },
        { call: { global: 'm.C' }, args: { tuple: [] } },
        { call: { global: 'm.D' }, args: { tuple: [] } },
        { call: { global: 'm.E' }, args: { tuple: [2] } },
        { call: { global: 'm.F' }, args: { tuple: [3] } },
      ],
    });
  });

  it('flags BUILD that injects __setstate__ and BUILD on a bare global', () => {
    const inject = new PickleWriter(4).stackGlobal('m', 'C').emptyTuple().newobj();
    inject.emptyDict().str('__setstate__').stackGlobal('os', 'system').setitem().build();
    inject.str('echo pwned').build();
    const r = exec(inject.stop().bytes());
    expect(r.ids).toContain('pickle.setstate-injection');
    const slot = new PickleWriter(4).stackGlobal('m', 'C').emptyTuple().newobj().none();
    slot.emptyDict().str('__reduce_ex__').int(1).setitem().tuple2().build();
    expect(exec(slot.stop().bytes()).ids).toContain('pickle.setstate-injection');
    const mutate = new PickleWriter(4).stackGlobal('torch', '_utils').emptyDict();
    mutate.str('_rebuild_tensor').str('builtins').setitem().build();
    expect(exec(mutate.stop().bytes()).ids).toEqual(['pickle.global-mutation']);
    const benign = new PickleWriter(4).stackGlobal('m', 'C').emptyTuple().newobj();
    benign.emptyDict().mark().str('weight').int(1).str('append').int(0).setitems().build();
    expect(exec(benign.stop().bytes()).ids).toEqual([]);
  });

  it('queues constant byte strings handed to pickle.loads and friends for a nested scan', () => {
    const inner = picklePy(py.call('os', 'system', ['id']), 4);
    const w = new PickleWriter(4).stackGlobal('pickle', 'loads').binary(inner).tuple1().reduce().pop();
    w.stackGlobal('torch', 'load')
      .stackGlobal('io', 'BytesIO')
      .binary(inner)
      .tuple1()
      .reduce()
      .tuple1()
      .reduce();
    const r = exec(w.stop().bytes());
    expect(r.nested.map((n) => [n.loader, n.length])).toEqual([
      ['pickle.loads', inner.length],
      ['torch.load', inner.length],
    ]);
    // protocol 2 writes bytes as _codecs.encode(str, 'latin1'): still found
    const p2 = exec(picklePy(py.call('_pickle', 'loads', [inner]), 2));
    expect(p2.nested.map((n) => [n.loader, n.offset, n.length])).toEqual([
      ['_pickle.loads', -1, inner.length],
    ]);
  });

  it('flags EXT opcodes and calls of computed callables; PERSID is silent', () => {
    const r = exec(new PickleWriter(4).ext(1).ext(300).ext(70000).tuple3().stop().bytes());
    expect(r.ids).toEqual(['pickle.extension-code', 'pickle.extension-code', 'pickle.extension-code']);
    const pers = new PickleWriter(2).str('storage').binpersid().persid('0').tuple2();
    const p = exec(pers.stop().bytes());
    expect([p.ids, p.vm.persids]).toEqual([[], 2]);
    const indirect = new PickleWriter(4).stackGlobal('m', 'f').emptyTuple().reduce().emptyTuple().reduce();
    expect(exec(indirect.stop().bytes()).ids).toEqual(['pickle.indirect-call']);
  });

  it('treats getattr(Global, name) as an import of the attribute it reaches', () => {
    const w = new PickleWriter(4).stackGlobal('builtins', 'getattr').stackGlobal('pathlib', 'Path');
    const r = exec(
      w.str('write_text').tuple2().reduce().mark().str('p').str('x').tuple().reduce().stop().bytes(),
    );
    expect([...new Set(r.imports.map((i) => i.split('@')[0]))]).toEqual([
      'builtins.getattr',
      'pathlib.Path',
      'pathlib.Path.write_text',
    ]);
    expect(r.ids).toEqual([]); // the result is a global: calling it is no indirect call
  });

  it('flags GLOBAL names longer than the line limit before refusing them', () => {
    const w = new PickleWriter(4).op(OP.GLOBAL).raw(Buffer.from(`os\n${'path.'.repeat(20_000)}system\n`));
    const r = exec(w.stop().bytes());
    expect(code(r.error)).toBe('FORMAT_INVALID');
    expect(r.ids).toEqual(['pickle.malformed-global']);
  });

  it('refuses GLOBAL lines that are not UTF-8', () => {
    expect(code(exec(Buffer.from('cmod\n\xf8\n.', 'latin1')).error)).toBe('FORMAT_INVALID');
  });
});

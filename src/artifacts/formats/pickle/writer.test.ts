import { describe, expect, it } from 'vitest';
import { SeqReader, bufferSource } from '../../../core/index.js';
import { PyDict, py, picklePy, torchStateDictPickle, callPickle, type PyValue } from './samples.js';
import type { VmSink } from './sink.js';
import { PickleVM } from './vm.js';
import { PickleWriter } from './writer.js';

/** CPython output for (value, protocol), memo-free (pickletools.optimize of pickle.dumps). */
const CPYTHON: [PyValue, number, number[]][] = [
  [0, 0, [73, 48, 10, 46]],
  [255, 1, [75, 255, 46]],
  [300, 2, [128, 2, 77, 44, 1, 46]],
  [70000, 2, [128, 2, 74, 112, 17, 1, 0, 46]],
  [-129, 2, [128, 2, 74, 127, 255, 255, 255, 46]],
  [2 ** 31, 2, [128, 2, 138, 5, 0, 0, 0, 128, 0, 46]],
  [-(2n ** 70n), 2, [128, 2, 138, 9, 0, 0, 0, 0, 0, 0, 0, 0, 192, 46]],
  [2n ** 70n, 1, [76, ...Buffer.from('1180591620717411303424L\n'), 46]],
  [py.float(1.5), 0, [70, 49, 46, 53, 10, 46]],
  [1.5, 2, [128, 2, 71, 63, 248, 0, 0, 0, 0, 0, 0, 46]],
  [true, 0, [73, 48, 49, 10, 46]],
  [false, 2, [128, 2, 137, 46]],
  [null, 0, [78, 46]],
  ['hi', 0, [86, 104, 105, 10, 46]],
  ['hi', 1, [88, 2, 0, 0, 0, 104, 105, 46]],
  ['hi', 3, [128, 3, 88, 2, 0, 0, 0, 104, 105, 46]],
  [
    'a\\b\né€',
    0,
    [86, 97, 92, 117, 48, 48, 53, 99, 98, 92, 117, 48, 48, 48, 97, 233, 92, 117, 50, 48, 97, 99, 10, 46],
  ],
  [Uint8Array.of(97, 98), 3, [128, 3, 67, 2, 97, 98, 46]],
  [py.tuple(1, 2), 2, [128, 2, 75, 1, 75, 2, 134, 46]],
  [py.tuple(1, 2), 1, [40, 75, 1, 75, 2, 116, 46]],
  [py.tuple(), 0, [40, 116, 46]],
  [[1, 2], 2, [128, 2, 93, 40, 75, 1, 75, 2, 101, 46]],
  [py.dict({ a: 1 }), 2, [128, 2, 125, 88, 1, 0, 0, 0, 97, 75, 1, 115, 46]],
  [py.dict({ a: 1 }), 0, [40, 100, 86, 97, 10, 73, 49, 10, 115, 46]],
  [[1, 2], 0, [40, 108, 73, 49, 10, 97, 73, 50, 10, 97, 46]],
];

function load(bytes: Uint8Array) {
  const imports: string[] = [];
  const sink: VmSink = { onImport: (r) => imports.push(r.qualified), onFinding() {}, onNested() {} };
  const vm = new PickleVM(new SeqReader(bufferSource(bytes), 4096), sink, { joblib: false, tick() {} });
  vm.run();
  return { vm, imports };
}

describe('PickleWriter', () => {
  it.each(CPYTHON)('writes %s with protocol %i exactly as CPython', (value, protocol, expected) => {
    expect([...picklePy(value, protocol)]).toEqual(expected);
  });

  it('chains opcodes fluently as in the documented example', () => {
    const bytes = new PickleWriter(4).global('os', 'system').str('echo hi').tuple1().reduce().stop().bytes();
    expect(Buffer.from(bytes).toString('latin1')).toBe('\x80\x04cos\nsystem\n\x8c\x07echo hi\x85R.');
    expect(load(bytes).imports).toEqual(['os.system']);
  });

  it('produces streams the VM reads back for every protocol', () => {
    const value: PyValue = [
      1,
      -70000,
      2n ** 80n,
      py.float(2),
      'text ✓',
      Uint8Array.of(1, 2, 3),
      py.tuple('a', py.tuple(), [null, true]),
      new PyDict([[1, 'one']]),
      py.call('collections', 'OrderedDict', [], py.dict({ k: 'v' })),
    ];
    for (let p = 0; p <= 5; p++) {
      const { vm, imports } = load(picklePy(value, p));
      expect(vm.ops, `protocol ${p}`).toBeGreaterThan(10);
      expect(imports).toContain('collections.OrderedDict');
    }
  });

  it('writes memo, persistent id, extension and buffer opcodes', () => {
    const w = new PickleWriter(5).str('k').memoize().put(300).get(0).get(300).tuple3().pop();
    w.str('0').binpersid().pop().persid('1').pop().ext(1).pop().nextBuffer().readonlyBuffer().pop();
    w.frame(0).bytearray(Uint8Array.of(1));
    const { vm } = load(w.stop().bytes());
    expect([vm.persids, vm.memoSize()]).toEqual([2, 2]);
  });

  it('refuses protocols outside 0-5', () => {
    expect(() => new PickleWriter(6)).toThrow(RangeError);
  });

  it('makes realistic samples: a torch state dict and a malicious call', () => {
    const sd = load(torchStateDictPickle({ tensors: 2 }));
    expect([...new Set(sd.imports)]).toEqual([
      'collections.OrderedDict',
      'torch._utils._rebuild_tensor_v2',
      'torch.FloatStorage',
    ]);
    expect(sd.vm.persids).toBe(2);
    expect(load(callPickle('subprocess', 'run', [['ls', '-l']], 4)).imports).toEqual(['subprocess.run']);
  });
});

import { REFS, type ByteSource } from '../../../core/index.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { NPY_MAGIC, analyzeDescr, expectedDataBytes, readNpyHeader } from './header.js';

/** Compares the declared array size with the bytes present; reports a mismatch. */
function checkSize(ctx: ScanContext, expected: bigint, present: number, offset: number): void {
  const have = BigInt(present);
  if (expected === have) return;
  const short = have < expected;
  ctx.emit({
    id: 'npy.size-mismatch',
    severity: short ? 'low' : 'medium',
    title: short ? 'Array data is shorter than its header says' : 'Data after the end of the array',
    detail: short
      ? `The header declares ${expected} bytes of array data but only ${present} follow; numpy will refuse to load it.`
      : `The header declares ${expected} bytes of array data but ${present} follow; numpy ignores the other ` +
        `${have - expected} bytes, which can carry a hidden payload for another loader.`,
    location: { offset },
    refs: REFS.malformed,
  });
}

/**
 * NumPy .npy arrays (also the members of .npz archives, via the zip scanner). The header is a
 * Python literal dict, parsed by a small bounded parser, never evaluated. Object arrays (descr 'O'
 * anywhere) are stored as a pickle after the header, which is handed to the pickle scanner: numpy's
 * reconstruct globals are allowed by the policy, so only a pickle that imports something else is
 * flagged. Other arrays are checked for size and not read further.
 */
export const npyScanner: Scanner = {
  format: 'npy',
  detect: (head) => head.length >= 10 && head.subarray(0, 6).equals(NPY_MAGIC),
  async scan(src: ByteSource, ctx: ScanContext): Promise<void> {
    const h = readNpyHeader(src);
    const info = analyzeDescr(h.descr);
    ctx.metric('npy_arrays', 1);
    if (info.object) {
      ctx.metric('npy_object_arrays', 1);
      ctx.emit({
        id: 'npy.object-array',
        severity: 'info',
        title: 'Object array stored as a pickle',
        detail:
          'This array has dtype object: numpy stores it as a pickle and loads it only with allow_pickle=True. ' +
          'The pickle was scanned; this note alone does not mean it is unsafe.',
        location: { offset: h.dataOffset },
        refs: REFS.supplyChain,
      });
      await ctx.scanNested('<object-array>', src.slice(h.dataOffset, src.size), { format: 'pickle' });
      return;
    }
    const expected = expectedDataBytes(h, info);
    if (expected === null) {
      ctx.metric('npy_size_unchecked', 1);
      return;
    }
    checkSize(ctx, expected, Math.max(0, src.size - h.dataOffset), h.dataOffset);
  },
};

/**
 * Pickle format: a static, symbolic scan of pickle streams (protocols 0-5, stacked streams,
 * joblib array data) that never imports or executes anything, plus a pickle writer for samples.
 */
import type { ScanContext, Scanner } from '../../scan/types.js';
import type { ByteSource } from '../../../core/index.js';
import { looksLikePickle } from './detect.js';
import { scanPickle } from './scanner.js';

export const pickleScanner: Scanner = {
  format: 'pickle',
  detect(head: Buffer, size: number): boolean {
    try {
      return looksLikePickle(head, size);
    } catch {
      return false;
    }
  },
  scan(src: ByteSource, ctx: ScanContext): Promise<void> {
    return scanPickle(src, ctx);
  },
};

export { scanPickle, type ScanPickleOptions } from './scanner.js';
export { looksLikePickle } from './detect.js';
export { PickleWriter } from './writer.js';
export {
  PyCall,
  PyDict,
  PyFloat,
  PyGlobal,
  PyPersid,
  PyTuple,
  callPickle,
  picklePy,
  py,
  torchStateDictPickle,
  writeValue,
  type PyValue,
  type TorchSampleOptions,
} from './samples.js';
export { joblibPickle, type JoblibArray, type JoblibSampleOptions } from './joblib-writer.js';
export { OP } from './opcodes.js';

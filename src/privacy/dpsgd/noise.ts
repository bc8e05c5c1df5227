import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { SecureRandom } from '../../core/index.js';
import { privacyError } from '../errors.js';

/** Standard normal noise for one step at a time: `take` lends a vector that is valid until `release`. */
export interface NoiseSource {
  take(): Float32Array;
  release(): void;
  close(): Promise<void>;
}

/** Draws on the calling thread (tests run from TypeScript sources, where a worker cannot load). */
class InlineNoise implements NoiseSource {
  private readonly z: Float32Array;
  private readonly rng: SecureRandom;
  constructor(key: Uint8Array, size: number) {
    this.rng = new SecureRandom(key);
    this.z = new Float32Array(size);
  }
  take(): Float32Array {
    this.z.fill(0);
    this.rng.addGaussian(this.z, 1);
    return this.z;
  }
  release(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const WORKER_URL = new URL('./noise-worker.js', import.meta.url);
const CAN_USE_WORKER = !import.meta.url.endsWith('.ts');

/** Two slots filled by a worker thread from the same generator, in the same order as InlineNoise draws. */
class WorkerNoise implements NoiseSource {
  private readonly flags: Int32Array;
  private readonly slots: Float32Array[];
  private readonly worker: Worker;
  private failed: Error | undefined;
  private s = 0;

  constructor(key: Uint8Array, size: number) {
    const sab = new SharedArrayBuffer(16 + 2 * size * 4);
    this.flags = new Int32Array(sab, 0, 4);
    this.slots = [new Float32Array(sab, 16, size), new Float32Array(sab, 16 + size * 4, size)];
    this.worker = new Worker(WORKER_URL, { workerData: { key, sab, size } });
    this.worker.on('error', (e) => (this.failed = e));
    this.worker.unref();
  }

  take(): Float32Array {
    const s = this.s;
    for (let waited = 0; Atomics.load(this.flags, s) !== 1; waited++) {
      if (this.failed || waited > 60)
        throw privacyError(
          'PRIVACY_NUMERIC',
          `the noise worker stopped: ${this.failed?.message ?? 'no answer in 60 s'}`,
        );
      Atomics.wait(this.flags, s, 0, 1000);
    }
    return this.slots[s] as Float32Array;
  }

  release(): void {
    Atomics.store(this.flags, this.s, 0);
    Atomics.notify(this.flags, this.s);
    this.s ^= 1;
  }

  async close(): Promise<void> {
    Atomics.store(this.flags, 2, 1);
    Atomics.notify(this.flags, 0);
    Atomics.notify(this.flags, 1);
    await this.worker.terminate();
  }
}

/**
 * The noise generator of a DP-SGD run: keyed from the seed (reproducible) or from fresh OS randomness,
 * drawn ahead on a worker thread when running from the built package.
 */
export function noiseSource(
  size: number,
  seed: string | number | undefined,
  inline = !CAN_USE_WORKER,
): NoiseSource {
  const key = seed === undefined ? randomBytes(32) : new TextEncoder().encode(`noise:${seed}`);
  return inline ? new InlineNoise(key, size) : new WorkerNoise(key, size);
}

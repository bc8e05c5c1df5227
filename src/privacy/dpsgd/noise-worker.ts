// Worker thread of WorkerNoise: keeps two slots of standard normal noise filled ahead of the training
// loop, so that drawing the noise overlaps the gradient computation on the main thread.
import { workerData } from 'node:worker_threads';
import { SecureRandom } from '../../core/index.js';

const { key, sab, size } = workerData as { key: Uint8Array; sab: SharedArrayBuffer; size: number };
// flags[0..1]: slot state (0 empty, 1 full); flags[2]: 1 = stop
const flags = new Int32Array(sab, 0, 4);
const slots = [new Float32Array(sab, 16, size), new Float32Array(sab, 16 + size * 4, size)];
const rng = new SecureRandom(key);
for (let s = 0; Atomics.load(flags, 2) === 0; s ^= 1) {
  while (Atomics.load(flags, s) !== 0 && Atomics.load(flags, 2) === 0) Atomics.wait(flags, s, 1, 1000);
  if (Atomics.load(flags, 2) !== 0) break;
  const slot = slots[s] as Float32Array;
  slot.fill(0);
  rng.addGaussian(slot, 1);
  Atomics.store(flags, s, 1);
  Atomics.notify(flags, s);
}

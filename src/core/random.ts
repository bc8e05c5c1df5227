import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A seeded 32-bit PRNG (mulberry32) returning floats in [0, 1): reproducible fuzz cases, data
 * splits and noise where a run must be repeatable. Not for anything secret: use node:crypto there.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHUNK = 64 * 1024;

/**
 * A cryptographically secure generator (AES-256 in counter mode over a 256-bit key) for noise that
 * protects privacy: the key is 32 fresh random bytes, or derived from a seed by SHA-256 when a run must
 * be repeatable (whoever knows that seed knows the noise). Uniforms carry 53 random bits.
 */
export class SecureRandom {
  private readonly cipher;
  private readonly zeros = new Uint8Array(CHUNK);
  private buf = new Uint32Array(0);
  private pos = 0;
  private spare: number | undefined;
  /** True when the key came from a seed rather than from the operating system's generator. */
  readonly seeded: boolean;

  constructor(seed?: string | number | Uint8Array) {
    this.seeded = seed !== undefined;
    const key =
      seed === undefined
        ? randomBytes(32)
        : createHash('sha256')
            .update('warden.secure-random.v1\0')
            .update(typeof seed === 'number' ? String(seed) : seed)
            .digest();
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  private next32(): number {
    if (this.pos >= this.buf.length) {
      const bytes = this.cipher.update(this.zeros);
      this.buf = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
      this.pos = 0;
    }
    return this.buf[this.pos++] as number;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.next32() >>> 5) * 67108864 + (this.next32() >>> 6)) / 9007199254740992;
  }

  /** Standard normal by Box-Muller on two 53-bit uniforms (1 - u keeps the logarithm finite). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /** Adds N(0, std^2) to every element of `out`. */
  addGaussian(out: Float32Array, std: number): void {
    for (let k = 0; k < out.length; k++) out[k] = (out[k] as number) + std * this.normal();
  }
}

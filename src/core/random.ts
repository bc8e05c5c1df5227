import { createCipheriv, createHash, randomBytes, type Cipher } from 'node:crypto';

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
  private readonly cipher: Cipher;
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

  private refill(): void {
    const bytes = this.cipher.update(this.zeros);
    this.buf = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    this.pos = 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    if (this.pos + 2 > this.buf.length) this.refill();
    const hi = (this.buf[this.pos] as number) >>> 5;
    const lo = (this.buf[this.pos + 1] as number) >>> 6;
    this.pos += 2;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Fills `out` with uniforms in [0, 1), in bulk (Poisson sampling draws one per example per step). */
  fillUniform(out: Float64Array): void {
    let k = 0;
    while (k < out.length) {
      if (this.pos + 2 > this.buf.length) this.refill();
      const buf = this.buf;
      let pos = this.pos;
      const n = Math.min(out.length - k, (buf.length - pos) >>> 1);
      for (let j = 0; j < n; j++, pos += 2)
        out[k + j] =
          (((buf[pos] as number) >>> 5) * 67108864 + ((buf[pos + 1] as number) >>> 6)) / 9007199254740992;
      this.pos = pos;
      k += n;
    }
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

  /** 32 random bits. */
  private u32(): number {
    if (this.pos >= this.buf.length) this.refill();
    return this.buf[this.pos++] as number;
  }

  /**
   * Adds N(0, std^2) to every element of `out`, then multiplies by `scale`, by the ziggurat method (Marsaglia and Tsang 2000, 128
   * layers): one 32-bit word gives sign and magnitude, the layer index comes from a separate word (Doornik
   * 2005's fix for the original's correlation), the rare edge and tail cases are sampled exactly.
   */
  addGaussian(out: Float32Array, std: number, scale = 1): void {
    const { kn, wn } = ZIGGURAT;
    let layers = 0;
    let left = 0;
    for (let k = 0; k < out.length; k++) {
      if (left === 0) {
        layers = this.u32();
        left = 4;
      }
      const iz = layers & 127;
      layers >>>= 8;
      left--;
      const hz = this.u32() | 0;
      const x = Math.abs(hz) < (kn[iz] as number) ? hz * (wn[iz] as number) : this.zigguratSlow(hz, iz);
      out[k] = ((out[k] as number) + std * x) * scale;
    }
  }

  private zigguratSlow(hz0: number, iz0: number): number {
    const { kn, wn, fn } = ZIGGURAT;
    let hz = hz0;
    let iz = iz0;
    for (;;) {
      if (iz === 0) {
        let x: number;
        let y: number;
        do {
          x = -Math.log(1 - this.uniform()) / ZIG_R;
          y = -Math.log(1 - this.uniform());
        } while (y + y < x * x);
        return hz > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = hz * (wn[iz] as number);
      const f0 = fn[iz] as number;
      if (f0 + this.uniform() * ((fn[iz - 1] as number) - f0) < Math.exp(-0.5 * x * x)) return x;
      hz = this.u32() | 0;
      iz = this.u32() & 127;
      if (Math.abs(hz) < (kn[iz] as number)) return hz * (wn[iz] as number);
    }
  }
}

// Ziggurat tables for the standard normal, 128 layers (Marsaglia and Tsang 2000): r is the start of the
// tail, v the area of each layer.
const ZIG_R = 3.442619855899;
const ZIGGURAT = ((): { kn: Float64Array; wn: Float64Array; fn: Float64Array } => {
  const m1 = 2147483648;
  const vn = 9.91256303526217e-3;
  const kn = new Float64Array(128);
  const wn = new Float64Array(128);
  const fn = new Float64Array(128);
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * m1;
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * m1;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
  return { kn, wn, fn };
})();

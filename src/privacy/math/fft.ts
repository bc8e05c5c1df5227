// In-place iterative radix-2 FFT over split real/imaginary arrays. The PRV and PLD accountants
// convolve probability vectors of up to a few million points, where a direct O(n^2) convolution
// would take hours; the arrays are padded to a power of two by the callers.

/** True when n is a power of two (FFT sizes). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Forward (sign -1) or inverse (sign +1, unscaled) transform of re + i*im, in place. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (!isPowerOfTwo(n) || im.length !== n) throw new RangeError('fft: length must be a power of two');
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  // One twiddle table for the largest stage; stage `len` reads it with stride n / len.
  const half = n >> 1;
  const wr = new Float64Array(half);
  const wi = new Float64Array(half);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < half; k++) {
    wr[k] = Math.cos((2 * Math.PI * k) / n);
    wi[k] = sign * Math.sin((2 * Math.PI * k) / n);
  }
  for (let len = 2; len <= n; len <<= 1) {
    const h = len >> 1;
    const stride = n / len;
    // contiguous copies of this stage's twiddles: strided reads in the inner loop thrash the cache
    const sr = new Float64Array(h);
    const si = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      sr[k] = wr[k * stride] as number;
      si[k] = wi[k * stride] as number;
    }
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < h; k++) {
        const a = start + k;
        const b = a + h;
        const cr = sr[k] as number;
        const ci = si[k] as number;
        const br = re[b] as number;
        const bi = im[b] as number;
        const xr = br * cr - bi * ci;
        const xi = br * ci + bi * cr;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[b] = ar - xr;
        im[b] = ai - xi;
        re[a] = ar + xr;
        im[a] = ai + xi;
      }
    }
  }
}

/** Circular self-convolution `count` times of a real vector of power-of-two length (pmf^(*count)). */
export function circularPower(x: Float64Array, count: number): Float64Array {
  const n = x.length;
  const re = Float64Array.from(x);
  const im = new Float64Array(n);
  fft(re, im);
  // z^count by repeated squaring: a few complex products per bin instead of five transcendental calls.
  for (let k = 0; k < n; k++) {
    let br = re[k] as number;
    let bi = im[k] as number;
    let rr = 1;
    let ri = 0;
    for (let e = count; e > 0; e = Math.floor(e / 2)) {
      if (e % 2 === 1) {
        const t = rr * br - ri * bi;
        ri = rr * bi + ri * br;
        rr = t;
      }
      const t = br * br - bi * bi;
      bi = 2 * br * bi;
      br = t;
    }
    re[k] = rr;
    im[k] = ri;
  }
  fft(re, im, true);
  for (let k = 0; k < n; k++) re[k] = (re[k] as number) / n;
  return re;
}

/**
 * Full linear convolution of two real vectors (length a + b - 1). Both go through one complex FFT as
 * a + i b (their spectra are separated by conjugate symmetry), so it costs two transforms, not three.
 */
export function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = a.length + b.length - 1;
  const n = nextPowerOfTwo(out);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re.set(a);
  im.set(b);
  fft(re, im);
  // A_k = (Z_k + conj Z_{n-k}) / 2 and B_k = (Z_k - conj Z_{n-k}) / (2i); bins k and n-k are
  // rewritten together as C_k = A_k B_k and C_{n-k} = conj C_k.
  for (let k = 0; k <= n / 2; k++) {
    const m = (n - k) % n;
    const zr = re[k] as number;
    const zi = im[k] as number;
    const wr = re[m] as number;
    const wi = im[m] as number;
    const ar = (zr + wr) / 2;
    const ai = (zi - wi) / 2;
    const br = (zi + wi) / 2;
    const bi = (wr - zr) / 2;
    const cr = ar * br - ai * bi;
    const ci = ar * bi + ai * br;
    re[k] = cr;
    im[k] = ci;
    re[m] = cr;
    im[m] = -ci;
  }
  fft(re, im, true);
  const res = new Float64Array(out);
  for (let k = 0; k < out; k++) res[k] = (re[k] as number) / n;
  return res;
}

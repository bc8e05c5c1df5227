// Root finding and quadrature, written for the accountants (no numeric dependency is worth a
// package here): Brent's method as scipy's brentq and adaptive Gauss-Kronrod 10/21 as QUADPACK's qags.

/** Brent's method on [a, b] where f changes sign; stops at |b - a| <= xtol + 4*eps*|x|. */
export function brentq(f: (x: number) => number, a: number, b: number, xtol = 2e-12, maxIter = 200): number {
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa * fb > 0) throw new RangeError('brentq: f(a) and f(b) must have opposite signs');
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let i = 0; i < maxIter; i++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + xtol / 2;
    const m = (c - b) / 2;
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // inverse quadratic interpolation, or the secant step when only two points differ
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  return b;
}

// Kronrod 21-point nodes and weights of QUADPACK's qk21 (scipy's quad on finite intervals); the
// odd-indexed nodes form the 10-point Gauss rule whose difference estimates the error.
const XGK = [
  0.9956571630258081, 0.9739065285171717, 0.9301574913557082, 0.8650633666889845, 0.7808177265864169,
  0.6794095682990244, 0.5627571346686047, 0.4333953941292472, 0.2943928627014602, 0.14887433898163122, 0,
];
const WGK = [
  0.011694638867371874, 0.032558162307964725, 0.054755896574351995, 0.07503967481091996, 0.0931254545836976,
  0.10938715880229764, 0.12349197626206584, 0.13470921731147334, 0.14277593857706009, 0.14773910490133849,
  0.1494455540029169,
];
const WG = [
  0.06667134430868814, 0.1494513491505806, 0.21908636251598204, 0.26926671930999635, 0.29552422471475287,
];

// One QK21 panel with QUADPACK's error estimate: |K - G| rescaled by the panel's variation (resasc),
// which is what decides where scipy's quad subdivides; the same rule gives the same partition.
function gk21(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const c = (a + b) / 2;
  const h = (b - a) / 2;
  const fc = f(c);
  const f1 = new Float64Array(10);
  const f2 = new Float64Array(10);
  let kronrod = fc * (WGK[10] as number);
  let gauss = 0;
  let resabs = Math.abs(kronrod);
  for (let j = 0; j < 10; j++) {
    const dx = h * (XGK[j] as number);
    const lo = f(c - dx);
    const hi = f(c + dx);
    f1[j] = lo;
    f2[j] = hi;
    kronrod += (WGK[j] as number) * (lo + hi);
    resabs += (WGK[j] as number) * (Math.abs(lo) + Math.abs(hi));
    if (j % 2 === 1) gauss += (WG[(j - 1) / 2] as number) * (lo + hi);
  }
  const half = kronrod / 2;
  let resasc = (WGK[10] as number) * Math.abs(fc - half);
  for (let j = 0; j < 10; j++)
    resasc += (WGK[j] as number) * (Math.abs((f1[j] as number) - half) + Math.abs((f2[j] as number) - half));
  const ah = Math.abs(h);
  resasc *= ah;
  resabs *= ah;
  let error = Math.abs((kronrod - gauss) * h);
  if (resasc !== 0 && error !== 0) error = resasc * Math.min(1, ((200 * error) / resasc) ** 1.5);
  if (resabs > Number.MIN_VALUE / (50 * Number.EPSILON))
    error = Math.max(50 * Number.EPSILON * resabs, error);
  return { value: kronrod * h, error };
}

/** Adaptive Gauss-Kronrod integral of f over [a, b] to max(epsabs, epsrel*|I|), as scipy.integrate.quad. */
export function quad(
  f: (x: number) => number,
  a: number,
  b: number,
  epsabs = 1.49e-8,
  epsrel = 1.49e-8,
  limit = 500,
): number {
  const parts = [{ a, b, ...gk21(f, a, b) }];
  for (let n = 1; n < limit; n++) {
    let total = 0;
    let err = 0;
    let worst = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as (typeof parts)[number];
      total += p.value;
      err += p.error;
      if (p.error > (parts[worst] as (typeof parts)[number]).error) worst = i;
    }
    if (err <= Math.max(epsabs, epsrel * Math.abs(total))) return total;
    const w = parts[worst] as (typeof parts)[number];
    const mid = (w.a + w.b) / 2;
    parts.splice(
      worst,
      1,
      { a: w.a, b: mid, ...gk21(f, w.a, mid) },
      { a: mid, b: w.b, ...gk21(f, mid, w.b) },
    );
  }
  return parts.reduce((s, p) => s + p.value, 0);
}

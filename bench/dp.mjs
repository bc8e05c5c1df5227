// Privacy accountants: time of RDP epsilon over the Opacus orders, PRV, PLD, GDP and the noise
// calibration, each against a baseline measured in the same run: a plain numpy/scipy implementation
// of the same formula (RDP, GDP, calibration), or numpy's FFT of the same grid (PRV, PLD: the
// transforms Opacus / dp_accounting cannot avoid). Python times are taken inside Python, so its
// start-up is not counted. Usage: npm run bench -- dp [--runs N]
import { spawnSync } from 'node:child_process';
import {
  GdpAccountant,
  PldAccountant,
  PrvAccountant,
  RdpAccountant,
  getNoiseMultiplier,
} from '../dist/privacy/index.js';
import { arg, median } from './lib.mjs';

const RUNS = Number(arg('--runs', '5'));
// Opacus's own test case: q = 0.04, sigma = 1.5, int(90 / q) steps, delta = 1e-5.
const Q = 0.04;
const SIGMA = 1.5;
const STEPS = 2250;
const DELTA = 1e-5;

// A straightforward numpy/scipy version of the same RDP analysis (integer orders by the log-space
// binomial sum, fractional orders by the erfc series), the improved conversion, the Opacus search
// and the GDP root; and numpy rfft/irfft power for an FFT grid of a given size.
const PY = String.raw`
import math, sys, time, json
import numpy as np
from scipy import special, optimize
from scipy.stats import norm
q, s, T, d, runs, n_prv, n_pld = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
ORD = [1 + x / 10 for x in range(1, 100)] + list(range(12, 64))
def la_int(a):
    i = np.arange(a + 1)
    t = special.gammaln(a + 1) - special.gammaln(i + 1) - special.gammaln(a - i + 1) + i * math.log(q) + (a - i) * math.log1p(-q) + (i * i - i) / (2 * s * s)
    return special.logsumexp(t)
def log_erfc(x):
    return math.log(2) + special.log_ndtr(-x * math.sqrt(2))
def la_frac(a):
    z0 = s * s * math.log(1 / q - 1) + .5
    terms0, terms1, signs = [], [], []
    i = 0
    while True:
        c = special.binom(a, i); lc = math.log(abs(c)); j = a - i
        s0 = lc + i * math.log(q) + j * math.log1p(-q) + (i * i - i) / (2 * s * s) + math.log(.5) + log_erfc((i - z0) / (math.sqrt(2) * s))
        s1 = lc + j * math.log(q) + i * math.log1p(-q) + (j * j - j) / (2 * s * s) + math.log(.5) + log_erfc((z0 - j) / (math.sqrt(2) * s))
        terms0.append(s0); terms1.append(s1); signs.append(1.0 if c > 0 else -1.0)
        i += 1
        if max(s0, s1) < -30: break
    return special.logsumexp(terms0 + terms1, b=signs + signs)
def eps_rdp(sig):
    global s
    s = sig
    o = np.array(ORD, float)
    r = np.array([(la_int(int(a)) if float(a).is_integer() else la_frac(a)) / (a - 1) for a in ORD]) * T
    e = r - (math.log(d) + np.log(o)) / (o - 1) + np.log((o - 1) / o)
    return float(np.nanmin(e))
def calibrate():
    lo, hi, eh = 0, 10, float('inf')
    while eh > 8: hi *= 2; eh = eps_rdp(hi)
    while 8 - eh > 0.01:
        m = (lo + hi) / 2; e = eps_rdp(m)
        if e < 8: hi, eh = m, e
        else: lo = m
    return hi
def gdp():
    mu = math.sqrt(T * (math.exp(1 / s ** 2) - 1)) * q
    f = lambda e: norm.cdf(-e / mu + mu / 2) - math.exp(e) * norm.cdf(-e / mu - mu / 2) - d
    return optimize.brentq(f, 0, 500)
def fft_power(n, count):
    x = np.zeros(n); x[: n // 2] = 1.0 / (n // 2)
    return np.fft.irfft(np.fft.rfft(x) ** count, n)
def timed(fn, k):
    ms = []
    for _ in range(k):
        t = time.perf_counter(); out = fn(); ms.append((time.perf_counter() - t) * 1000)
    return sorted(ms)[len(ms) // 2], out
res = {}
res['rdp'] = timed(lambda: eps_rdp(1.5), runs)
res['gdp'] = timed(gdp, runs)
res['calibrate'] = timed(calibrate, 1)
res['prv_fft'] = timed(lambda: fft_power(n_prv, T)[0], runs)
res['pld_fft'] = timed(lambda: fft_power(n_pld, 2)[0], runs)
print(json.dumps({k: {'ms': v[0], 'value': float(v[1])} for k, v in res.items()}))
`;

function time(fn, runs = RUNS) {
  const ms = [];
  let value;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), value };
}

const phase = { noiseMultiplier: SIGMA, sampleRate: Q, steps: STEPS };
const rdp = time(() => new RdpAccountant().compose(phase).getEpsilon(DELTA));
const gdp = time(() => new GdpAccountant().compose(phase).getEpsilon(DELTA));
const prvAcc = new PrvAccountant().compose(phase);
const prv = time(() => prvAcc.getEpsilon(DELTA), Math.min(RUNS, 3));
const prvGrid = prvAcc.composed(prvAcc.history, DELTA / 1000).grid.size;
const pldAcc = new PldAccountant().compose(phase);
const pld = time(() => pldAcc.getEpsilon(DELTA), Math.min(RUNS, 3));
const pldSize = pldAcc.composed(pldAcc.history).remove.p.length;
const calib = time(
  () => getNoiseMultiplier({ targetEpsilon: 8, delta: DELTA, sampleRate: Q, steps: STEPS }),
  1,
);

const pow2 = (n) => 2 ** Math.ceil(Math.log2(n));
const py = spawnSync(
  'python3',
  [
    '-c',
    PY,
    String(Q),
    String(SIGMA),
    String(STEPS),
    String(DELTA),
    String(RUNS),
    String(pow2(prvGrid)),
    String(pow2(2 * pldSize)),
  ],
  { encoding: 'utf8', maxBuffer: 1 << 20 },
);
let base = {};
if (py.status === 0) base = JSON.parse(py.stdout);
else console.log(`python baseline unavailable: ${py.stderr.trim().split('\n').pop()}`);

const rows = [
  ['RDP epsilon, 151 Opacus orders', rdp, base.rdp, 'numpy/scipy, same formula'],
  ['GDP epsilon (CLT, brentq)', gdp, base.gdp, 'scipy norm.cdf + brentq'],
  ['noise calibration (RDP, Opacus search)', calib, base.calibrate, 'numpy/scipy, same search'],
  [`PRV epsilon (grid ${prvGrid})`, prv, base.prv_fft, `numpy rfft**T + irfft, n=${pow2(prvGrid)}`],
  [
    `PLD epsilon (both directions, ${pldSize} bins)`,
    pld,
    base.pld_fft,
    `numpy rfft + irfft, n=${pow2(2 * pldSize)}`,
  ],
];
console.log(
  `q=${Q} sigma=${SIGMA} steps=${STEPS} delta=${DELTA}; median of ${RUNS} runs (PRV/PLD: ${Math.min(RUNS, 3)}, calibration: 1), node ${process.version}`,
);
console.log('| what | warden | value | baseline | baseline value | warden / baseline |');
console.log('|---|---|---|---|---|---|');
for (const [what, w, b, label] of rows) {
  const bs = b ? `${b.ms.toFixed(1)} ms (${label})` : 'n/a';
  const bv = b && !label.startsWith('numpy rfft') ? b.value.toPrecision(10) : '-';
  const ratio = b ? (w.ms / b.ms).toFixed(2) : '-';
  console.log(`| ${what} | ${w.ms.toFixed(1)} ms | ${w.value.toPrecision(10)} | ${bs} | ${bv} | ${ratio} |`);
}

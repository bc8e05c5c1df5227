// Drift of query features against a reference set of ordinary questions: population stability index (PSI)
// per feature over the reference's quantile bins, on a sliding window of recent queries.

/** Simple features of a query; `injectionScore` is the guard's, when Warden is on. */
export function queryFeatures(text, injectionScore = 0) {
  const chars = [...text];
  const n = Math.max(1, chars.length);
  return {
    length: chars.length,
    words: (text.match(/\S+/g) ?? []).length,
    nonAscii: chars.filter((c) => c.codePointAt(0) > 0x7f).length / n,
    digits: chars.filter((c) => c >= '0' && c <= '9').length / n,
    punctuation: chars.filter((c) => /[^\p{L}\p{N}\s]/u.test(c)).length / n,
    injectionScore,
  };
}

function edges(values, bins) {
  const s = [...values].sort((a, b) => a - b);
  const out = [];
  for (let i = 1; i < bins; i++) out.push(s[Math.floor((i * s.length) / bins)]);
  return [...new Set(out)];
}

function histogram(values, cuts) {
  const h = new Array(cuts.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < cuts.length && v > cuts[i]) i++;
    h[i]++;
  }
  return h;
}

/** PSI = sum (p_i - q_i) ln(p_i / q_i), with a small floor so empty bins stay finite. */
export function psi(reference, current, bins = 5) {
  if (reference.length === 0 || current.length === 0) return 0;
  const cuts = edges(reference, bins);
  const r = histogram(reference, cuts);
  const c = histogram(current, cuts);
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    const p = Math.max(1e-4, c[i] / current.length);
    const q = Math.max(1e-4, r[i] / reference.length);
    s += (p - q) * Math.log(p / q);
  }
  return s;
}

export class DriftMonitor {
  constructor(referenceTexts, { window = 200, threshold = 0.25, minWindow = 30 } = {}) {
    this.reference = referenceTexts.map((t) => queryFeatures(t));
    this.window = window;
    this.threshold = threshold;
    this.minWindow = minWindow;
    this.recent = [];
  }

  add(features) {
    this.recent.push(features);
    if (this.recent.length > this.window) this.recent.shift();
  }

  /** PSI per feature on the current window; `alert` once the window is full enough and any PSI passes the threshold. */
  report() {
    const features = {};
    for (const name of Object.keys(this.reference[0] ?? {})) {
      if (name === 'injectionScore') continue; // the reference has no guard scores
      const value = psi(
        this.reference.map((f) => f[name]),
        this.recent.map((f) => f[name]),
      );
      features[name] = { psi: Math.round(value * 1e4) / 1e4, drifted: value > this.threshold };
    }
    const meanInjection =
      this.recent.reduce((a, f) => a + f.injectionScore, 0) / Math.max(1, this.recent.length);
    const alert = this.recent.length >= this.minWindow && Object.values(features).some((f) => f.drifted);
    return {
      window: this.recent.length,
      threshold: this.threshold,
      alert,
      meanInjectionScore: meanInjection,
      features,
    };
  }
}

// Robustness curves and adversarial examples; privacy spent over training and membership-inference ROC.
import { api, card, h, num, pct, table } from './lib.js';
import { imageCanvas, lineChart } from './charts.js';

/** Puts series with their own x values on one sorted x axis (null where a series has no point). */
export function align(list) {
  const xs = [...new Set(list.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  return {
    x: xs,
    series: list.map((s) => {
      const values = new Array(xs.length).fill(null);
      s.x.forEach((x, i) => (values[index.get(x)] = s.y[i] ?? null));
      return { label: s.label, values, dash: s.dash, marks: s.marks };
    }),
  };
}

const variant = (s) =>
  `${s.ref}${s.variant ? ` (${s.variant})` : ''} ${s.attack} L${s.norm === 'inf' ? '∞' : s.norm}${s.defense ? ` +${s.defense}` : ''}`;

function chartCard(title, name, note) {
  const el = h('div', { class: 'chart', 'data-chart': name });
  return {
    el,
    node: h(
      'div',
      { class: 'card wide' },
      h('h2', {}, title),
      el,
      note ? h('p', { class: 'muted' }, note) : null,
    ),
  };
}

export async function robustnessPage(root) {
  const r = await api('/robustness');
  if (r.series.length === 0)
    return void root.append(card('', h('p', { class: 'muted' }, 'no robustness evidence')));
  const acc = chartCard(
    'Robust accuracy vs ε',
    'robust-accuracy',
    'Over all examples (AutoAttack convention): misclassified clean inputs count as broken.',
  );
  const asr = chartCard(
    'Attack success rate vs ε',
    'attack-success',
    'Share of clean-correct examples whose prediction the attack changed.',
  );
  const pert = chartCard('Mean perturbation norm vs ε', 'perturbation');
  root.append(
    h(
      'div',
      { class: 'grid' },
      acc.node,
      asr.node,
      pert.node,
      h(
        'div',
        { class: 'card wide' },
        h('h2', {}, 'Runs'),
        table(
          [
            ['variant', (s) => variant(s)],
            ['clean accuracy', (s) => pct(s.cleanAccuracy)],
            ['budgets', (s) => s.eps.length],
            [
              'robust accuracy at largest ε',
              (s) => `${pct(s.robustAccuracy.at(-1))} at ε=${num(s.eps.at(-1))}`,
            ],
            [
              'evidence',
              (s) => h('a', { href: `#/models?ref=${encodeURIComponent(s.ref)}` }, `#${s.evidence}`),
            ],
          ],
          r.series,
        ),
      ),
      r.examples.length
        ? h(
            'div',
            { class: 'card wide' },
            h('h2', {}, 'Adversarial examples'),
            h(
              'div',
              { class: 'examples', 'data-examples': String(r.examples.length) },
              r.examples.map((e) => {
                const [w, hh] = e.shape.length >= 2 ? e.shape.slice(-2).reverse() : [e.shape[0], 1];
                return h(
                  'figure',
                  {},
                  imageCanvas(e.clean, w, hh),
                  imageCanvas(e.adversarial, w, hh),
                  h(
                    'figcaption',
                    { class: 'muted' },
                    `${e.ref} ${e.attack} ε=${e.eps}: ${e.label} → ${e.prediction}`,
                  ),
                );
              }),
            ),
          )
        : null,
    ),
  );
  const pick = (k) => align(r.series.map((s) => ({ label: variant(s), x: s.eps, y: s[k] })));
  lineChart(acc.el, { ...pick('robustAccuracy'), xLabel: 'ε', yLabel: 'robust accuracy', yRange: [0, 1] });
  lineChart(asr.el, {
    ...pick('attackSuccessRate'),
    xLabel: 'ε',
    yLabel: 'attack success rate',
    yRange: [0, 1],
  });
  lineChart(pert.el, { ...pick('meanPerturbation'), xLabel: 'ε', yLabel: 'mean perturbation' });
}

/** One curve per audit report, model and attack: an audit attached to several versions lists them all. */
function uniqueAudits(roc) {
  const byKey = new Map();
  for (const r of roc) {
    const key = `${r.digest}:${r.model}:${r.attack}`;
    const hit = byKey.get(key);
    if (hit) hit.refs.push(r.ref);
    else byKey.set(key, { ...r, refs: [r.ref] });
  }
  return [...byKey.values()];
}

export async function privacyPage(root) {
  const p = await api('/privacy');
  const audits = uniqueAudits(p.roc);
  const eps = chartCard(
    'Privacy spent over training (ε at δ)',
    'epsilon',
    "Replayed with the accountant on the run's q, σ and steps when the report carries no series; dots: what the run reported after each epoch.",
  );
  const roc = chartCard(
    'Membership-inference ROC',
    'roc',
    'TPR against FPR of each attack on each model; the diagonal is guessing.',
  );
  root.append(
    h(
      'div',
      { class: 'grid' },
      eps.node,
      h(
        'div',
        { class: 'card wide' },
        h('h2', {}, 'DP-SGD runs'),
        table(
          [
            ['version', (s) => s.ref],
            ['accountant', (s) => s.accountant],
            ['q', (s) => num(s.sampleRate, 4)],
            ['σ', (s) => num(s.noiseMultiplier, 3)],
            ['steps', (s) => s.steps.at(-1)],
            ['ε', (s) => num(s.epsilon.at(-1), 3)],
            ['δ', (s) => s.delta],
            ['series', (s) => s.source],
          ],
          p.epsilon,
          'no DP-SGD evidence',
        ),
      ),
      roc.node,
      h(
        'div',
        { class: 'card wide' },
        h('h2', {}, 'Membership audits'),
        table(
          [
            ['model', (r) => r.model],
            ['attack', (r) => r.attack],
            ['AUC', (r) => num(r.auc, 3)],
            [
              'TPR at 0.1% / 1% FPR',
              (r) =>
                r.fpr
                  .map((f, i) => (f === 0.001 || f === 0.01 ? pct(r.tpr[i]) : null))
                  .filter(Boolean)
                  .join(' / ') || '–',
            ],
            ['curve', (r) => (r.source === 'report' ? 'full ROC' : 'operating points')],
            ['evidence of', (r) => r.refs.join(', ')],
          ],
          audits,
          'no membership audit',
        ),
      ),
    ),
  );
  if (p.epsilon.length) {
    const name = (s) => `${s.ref}${s.variant ? ` ${s.variant}` : ''}`;
    const lines = p.epsilon.map((s) => ({ label: `${name(s)} (${s.accountant})`, x: s.steps, y: s.epsilon }));
    const marks = p.epsilon.map((s) => ({
      label: `${name(s)} reported per epoch`,
      x: s.epochs.map((e) => e.steps),
      y: s.epochs.map((e) => e.epsilon),
      marks: true,
    }));
    lineChart(eps.el, { ...align([...lines, ...marks]), xLabel: 'steps', yLabel: 'ε', points: true });
  }
  if (p.roc.length) {
    const list = audits.map((r) => ({
      label: `${r.model} ${r.attack} (AUC ${num(r.auc, 3)})`,
      x: r.fpr,
      y: r.tpr,
    }));
    list.push({ label: 'chance', x: [0, 1], y: [0, 1], dash: [4, 4] });
    lineChart(roc.el, {
      ...align(list),
      xLabel: 'false positive rate',
      yLabel: 'true positive rate',
      yRange: [0, 1],
    });
  }
}

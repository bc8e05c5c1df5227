#!/usr/bin/env node
// Throughput of the guard text detectors on ~1 KB prompts, against one precompiled regex `.test()`.
//
//   npm run build && npm run bench -- guard-text [--prompts 300] [--reps 20]
//
// Generates (seeded) English prompts of about 1 KB: 70% plain, 10% with fake credentials, 10% with URLs
// and markdown images, 10% with invisible unicode and emoji. Reports p50 and p90 microseconds per KB for:
//   - baseline: one precompiled regex `.test()` pass over the text (the raw library call);
//   - each text detector called directly (encoded_payload with a regex stand-in for the semantic rescan);
//   - the five together (invisible_unicode + encoded_payload + secrets + urls + canary);
//   - the default policy through `Guard` (scanInput + scanOutput), when all its detectors are registered.
import { arg, median } from './lib.mjs';

let guard;
try {
  guard = await import('../dist/guard/index.js');
} catch (e) {
  console.error(`cannot import ../dist/guard/index.js (${e.message}); run \`npm run build\` first`);
  process.exit(2);
}
const { DETECTORS, Guard, DEFAULT_GUARD_POLICY } = guard;

const PROMPTS = Number(arg('--prompts', '300'));
const REPS = Number(arg('--reps', '20'));

let seed = 12345;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const WORDS = (
  'the a model user please could you write summarise explain function data report meeting customer ' +
  'order invoice quarterly revenue growth team project deadline email draft review code bug test deploy ' +
  'server database query performance improve simple detailed list table steps example because when while ' +
  'after before about with from into over under between their our your this that these those which ' +
  'analysis market product feature release notes support ticket question answer translate french german'
).split(' ');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n) => Array.from({ length: n }, () => pick(ALNUM)).join('');

function sentence() {
  const n = 8 + Math.floor(rnd() * 12);
  const ws = Array.from({ length: n }, () => pick(WORDS));
  ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
  return `${ws.join(' ')}${pick(['.', '.', '?', ','])}`;
}

const EXTRAS = {
  secret: () =>
    pick([
      `Use key AKIA${rand(16)
        .toUpperCase()
        .replace(/[^A-Z2-7]/g, 'Q')} for the bucket.`,
      `export GITHUB_TOKEN=ghp_${rand(36)}`,
      `password: "${rand(12)}!9"`,
      `Authorization: Bearer sk-proj-${rand(20)}T3BlbkFJ${rand(20)}`,
    ]),
  url: () =>
    pick([
      `See https://docs.example.com/guide/${rand(8)}?page=2 for details.`,
      `![chart](https://cdn.example.org/img/${rand(6)}.png)`,
      `[link](https://www.example.net/search?q=${rand(10)})`,
    ]),
  unicode: () =>
    pick([
      `Thanks \u{1f44d}\u{1f3fd} and caf\u00e9 \u2764\ufe0f`,
      `note\u200b\u200bhere`,
      `family \u{1f468}\u200d\u{1f469}\u200d\u{1f467} photo`,
    ]),
};

function prompt(i) {
  const kind = i % 10 === 7 ? 'secret' : i % 10 === 8 ? 'url' : i % 10 === 9 ? 'unicode' : 'plain';
  let s = '';
  while (s.length < 1000) {
    if (kind !== 'plain' && rnd() < 0.15) s += `${EXTRAS[kind]()} `;
    s += `${sentence()} `;
  }
  return s.slice(0, 1024);
}

const texts = Array.from({ length: PROMPTS }, (_, i) => prompt(i));
const canary = 'wdn-0123456789abcdef';

/** p50/p90 of microseconds per KB, each text timed over REPS calls after a warm-up pass. */
function measure(fn) {
  for (const t of texts) fn(t);
  const per = [];
  for (const t of texts) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < REPS; r++) fn(t);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / REPS;
    per.push(us / (t.length / 1024));
  }
  const s = [...per].sort((a, b) => a - b);
  return { p50: median(per), p90: s[Math.floor(s.length * 0.9)] };
}

const BASELINE = /ignore (?:all )?previous instructions/i;
const baseline = measure((t) => BASELINE.test(t));

// Stands in for the injection classifier so encoded_payload does its decode-and-rescan work.
const rescan = (t) =>
  BASELINE.test(t) ? [{ type: 'prompt_injection', start: 0, end: t.length, score: 0.9 }] : [];
const make = (name, options = {}) => {
  const spec = DETECTORS.find((d) => d.name === name);
  return spec.create(spec.options.parse(options));
};
const ctxIn = { direction: 'input', depth: 0, canaries: [canary], rescan };
const ctxOut = { direction: 'output', depth: 0, canaries: [canary] };
const five = {
  invisible_unicode: [make('invisible_unicode'), ctxIn],
  encoded_payload: [make('encoded_payload'), ctxIn],
  secrets: [make('secrets'), ctxIn],
  urls: [make('urls'), ctxOut],
  canary: [make('canary'), ctxOut],
};

const rows = [['baseline: precompiled regex .test()', baseline]];
for (const [name, [det, ctx]] of Object.entries(five)) rows.push([name, measure((t) => det.detect(t, ctx))]);
const all = Object.values(five);
rows.push(['all five together', measure((t) => all.forEach(([det, ctx]) => det.detect(t, ctx)))]);

let policyNote = '';
try {
  const g = new Guard(DEFAULT_GUARD_POLICY);
  rows.push(['default policy (scanInput + scanOutput)', measure((t) => (g.scanInput(t), g.scanOutput(t)))]);
} catch (e) {
  policyNote = `default policy skipped: ${e.message}`;
}

const size = texts.reduce((a, t) => a + t.length, 0) / texts.length;
console.log(
  `guard-text: ${PROMPTS} prompts of ~${Math.round(size)} chars, ${REPS} reps each, node ${process.version}`,
);
console.log('| | p50 us/KB | p90 us/KB | p50 / baseline |');
console.log('|---|---|---|---|');
for (const [name, r] of rows)
  console.log(
    `| ${name} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${(r.p50 / baseline.p50).toFixed(1)}x |`,
  );
if (policyNote) console.log(policyNote);

// PII detector quality and speed on ../shared/data/guard/pii.jsonl (presidio-research synthetic set).
// `npm run bench -- guard-pii [--data DIR] [--iterations N] [--show TYPE]`.
//
// Quality: a gold span counts as found when a reported detection (score >= the detector's default
// threshold) of the same type overlaps it with IoU >= 0.5; a detection is correct when it matches a gold
// span of its type the same way. Gold offsets are code points and are converted to UTF-16 first.
// "char coverage" is the share of gold characters covered by detections of the same type (what redaction
// needs, and fairer to the heuristic types whose gold spans are split inconsistently).
//
// Speed: CPU time of the detector over every record (median of N passes), against a baseline measured in
// the same run: one precompiled e-mail regex `.exec` loop over the same texts (the raw library call).
// A second row times long prose prompts (jailbreakbench.jsonl) where PII is rare, the usual guard input.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { arg, median, sharedData } from './lib.mjs';
import { codePointToUtf16Offsets, findDetector } from '../dist/guard/index.js';

const dataDir = resolve(arg('--data', sharedData('guard')));
const iterations = Number(arg('--iterations', '7'));
const show = arg('--show', '');
if (!existsSync(join(dataDir, 'pii.jsonl'))) {
  console.error(`guard-pii: no pii.jsonl in ${dataDir} (pass --data DIR)`);
  process.exit(2);
}
const spec = findDetector('pii');
const det = spec.create(spec.options.parse({}));
const threshold = spec.defaultThreshold;
const ctx = { direction: 'input', depth: 0, canaries: [] };
const TYPES = spec.options.parse({}).types;
const STRUCTURED = ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS'];

const load = (file) =>
  readFileSync(join(dataDir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const records = load('pii.jsonl');

const iou = (a, b) => {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  return inter / (Math.max(a.end, b.end) - Math.min(a.start, b.start));
};

// ---- quality ----
const stats = Object.fromEntries(
  TYPES.map((t) => [t, { gold: 0, found: 0, pred: 0, correct: 0, gc: 0, cc: 0 }]),
);
for (const r of records) {
  const map = codePointToUtf16Offsets(r.text);
  const gold = r.spans.map((s) => ({ type: s.type, start: map[s.start], end: map[s.end] }));
  const preds = det.detect(r.text, ctx).detections.filter((d) => d.score >= threshold);
  for (const g of gold) {
    const s = stats[g.type];
    if (!s) continue;
    s.gold++;
    const ok = preds.some((p) => p.type === g.type && iou(p, g) >= 0.5);
    if (ok) s.found++;
    else if (show === g.type) console.log(`miss ${g.type}: ${JSON.stringify(r.text.slice(g.start, g.end))}`);
    for (let i = g.start; i < g.end; i++) {
      s.gc++;
      if (preds.some((p) => p.type === g.type && p.start <= i && i < p.end)) s.cc++;
    }
  }
  for (const p of preds) {
    const s = stats[p.type];
    s.pred++;
    if (gold.some((g) => g.type === p.type && iou(p, g) >= 0.5)) s.correct++;
    else if (show === p.type) console.log(`false ${p.type}: ${JSON.stringify(r.text.slice(p.start, p.end))}`);
  }
}
const f3 = (k, n) => (n ? (k / n).toFixed(3) : '-');
console.log(`pii.jsonl: ${records.length} records; IoU >= 0.5 matching; score >= ${threshold}\n`);
console.log('| type | gold | recall | detections | precision | char coverage |');
console.log('|---|---|---|---|---|---|');
let sg = 0;
let sf = 0;
let sp = 0;
let sc = 0;
for (const t of TYPES) {
  const s = stats[t];
  console.log(
    `| ${t} | ${s.gold} | ${f3(s.found, s.gold)} | ${s.pred} | ${f3(s.correct, s.pred)} | ${f3(s.cc, s.gc)} |`,
  );
  if (STRUCTURED.includes(t)) {
    sg += s.gold;
    sf += s.found;
    sp += s.pred;
    sc += s.correct;
  }
}
console.log(`| structured (6 types) | ${sg} | ${f3(sf, sg)} | ${sp} | ${f3(sc, sp)} | |`);
console.log(`\nstructured recall ${f3(sf, sg)} (target >= 0.95)\n`);

// ---- speed ----
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
function baseline(text) {
  const out = [];
  EMAIL_RE.lastIndex = 0;
  for (let m = EMAIL_RE.exec(text); m; m = EMAIL_RE.exec(text)) out.push(m.index);
  return out.length;
}
const cpuMs = (fn) => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

function timeSet(label, texts) {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  for (let w = 0; w < 3; w++) for (const t of texts) (det.detect(t, ctx), baseline(t));
  const passes = [];
  const basePasses = [];
  const perRecord = [];
  // Small sets are repeated within a pass so each pass covers >= 512 KB: short passes are too noisy.
  const reps = Math.max(1, Math.ceil(512 / (bytes / 1024)));
  const repeat = (fn) => () => {
    for (let k = 0; k < reps; k++) texts.forEach(fn);
  };
  for (let i = 0; i < iterations; i++) {
    passes.push(cpuMs(repeat((t) => det.detect(t, ctx))) / reps);
    basePasses.push(cpuMs(repeat(baseline)) / reps);
  }
  // Per-record wall times in a separate pass, so the clock reads do not count in the CPU figures.
  for (const t of texts) {
    const t0 = performance.now();
    det.detect(t, ctx);
    perRecord.push((performance.now() - t0) * 1000);
  }
  const ms = median(passes);
  const best = Math.min(...passes);
  const base = median(basePasses);
  const kb = bytes / 1024;
  console.log(
    `| ${label} | ${texts.length} | ${kb.toFixed(0)} | ${(kb / (ms / 1000)).toFixed(0)} | ` +
      `${((ms * 1000) / kb).toFixed(1)} (min ${((best * 1000) / kb).toFixed(1)}) | ` +
      `${median(perRecord).toFixed(1)} | ${(kb / (base / 1000)).toFixed(0)} | ${(ms / base).toFixed(1)}x |`,
  );
}
console.log(
  '| texts | records | KB | warden KB/s | warden us/KB | p50 us/record | email-regex KB/s | warden / baseline |',
);
console.log('|---|---|---|---|---|---|---|---|');
timeSet(
  'pii.jsonl (dense PII)',
  records.map((r) => r.text),
);
if (existsSync(join(dataDir, 'jailbreakbench.jsonl'))) {
  timeSet(
    'jailbreakbench.jsonl (prose)',
    load('jailbreakbench.jsonl').map((r) => r.text),
  );
}
console.log(`\nCPU time (process.cpuUsage), median of ${iterations} passes; p50 is wall time per record.`);

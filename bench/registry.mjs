// Registry at scale: 10,000 versions (100 models x 100) with 100,000 evidence reports, 20,000 approvals and
// an audit chain of every row, on SQLite and on PostgreSQL. Measures list, show, gate evaluation and alias
// resolution through the library, against a baseline measured in the same run on the same store: one raw
// indexed SELECT of a version row. Also the write path through the API (evidence, approvals, promotions)
// and `verify` over the whole chain.
// Usage: npm run bench -- registry [--store sqlite|postgres|both] [--models 100] [--versions 100] [--runs 300]
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../dist/core/store/index.js';
import { generateKeyPair, signModel } from '../dist/artifacts/index.js';
import { makeReport } from '../dist/core/index.js';
import { Registry, normalizeEvidence, registryRecordHash as recordHash } from '../dist/registry/index.js';

const GENESIS_HASH = '0'.repeat(64);
import { WORK_DIR, arg, median } from './lib.mjs';

const WHICH = arg('--store', 'both');
const MODELS = Number(arg('--models', '100'));
const PER_MODEL = Number(arg('--versions', '100'));
const RUNS = Number(arg('--runs', '300'));
const EVIDENCE_PER_VERSION = 10;
const PG = process.env.WARDEN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = join(WORK_DIR, 'registry');
const sha = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const rnd = (n) => Math.floor(Math.random() * n);

// One real signed model: its bundle is recorded on every version, so `signature trusted` verifies a real
// ECDSA signature (cached per bundle after the first check, as in production).
async function signedBundle() {
  const m = join(dir, 'model');
  mkdirSync(m, { recursive: true });
  writeFileSync(join(m, 'w.bin'), randomBytes(64));
  const key = generateKeyPair('p256');
  const s = await signModel(m, { privateKey: key.privatePem });
  const { readFileSync } = await import('node:fs');
  return { key, bundle: readFileSync(s.signaturePath, 'utf8'), digest: `sha256:${s.rootDigest}` };
}

function reportsFor(m, v) {
  const r = (kind, metrics, findings = []) => {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, v)).toISOString();
    return makeReport({
      kind,
      subject: { name: `m${m}@${v}` },
      startedAt: at,
      finishedAt: at,
      findings,
      items: [],
      metrics,
      failOn: 'high',
    });
  };
  const seed = m * 1000 + v;
  const attack = (eps, robust) => ({
    attack: 'pgd',
    eps,
    norm: 'inf',
    examples: 500,
    cleanAccuracy: 0.97,
    robustAccuracy: robust,
    robustAccuracyOfCorrect: robust,
    attackSuccessRate: 0.2,
    maxPerturbation: eps,
    meanPerturbation: eps,
    seconds: seed,
  });
  return [
    r(
      'scan',
      { files: 2, seed },
      seed % 7 === 0
        ? [{ id: 'x', detector: 'pickle', severity: 'high', title: 't', detail: 'd', refs: {} }]
        : [],
    ),
    r('verify', { files: 2, resources: 2, failures: 0, seed }),
    attack(0.3, 0.4),
    attack(0.1, 0.6 + (seed % 30) / 100),
    { accountant: 'rdp', steps: 2000 + seed, epsilon: 2 + (seed % 9) },
    r('fairness', { demographic_parity_difference: (seed % 15) / 100 }),
    r('membership', { auc: 0.5 + (seed % 10) / 100, tpr_at_1pct_fpr: 0.01 }),
    r('drift', { psi: 0.01 * (seed % 5) }),
    r('robustness', { certified_radius: 0.2 }),
    r('scan', { files: 2, seed: seed + 1 }),
  ];
}

// Bulk load in transactions of many rows, with the same values the API would write (facts, evidence
// digest chains, approvals bound to the final evidence digest, an audit record per row).
async function populate(store, sig) {
  const now = new Date().toISOString();
  let audit = { seq: 0, hash: GENESIS_HASH };
  const auditRows = [];
  const log = (action, subject, detail) => {
    const base = {
      seq: audit.seq + 1,
      ts: now,
      actor: 'bench',
      action,
      subject,
      detail: JSON.stringify(detail),
      prevHash: audit.hash,
    };
    const hash = recordHash(base);
    auditRows.push([
      base.seq,
      base.ts,
      base.actor,
      base.action,
      base.subject,
      base.detail,
      base.prevHash,
      hash,
    ]);
    audit = { seq: base.seq, hash };
  };
  const insert = async (tx, table, cols, rows) => {
    const per = Math.floor(30000 / cols.length);
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      await tx.run(
        `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`,
        chunk.flat(),
      );
    }
  };
  for (let m = 0; m < MODELS; m++) {
    await store.transaction(async (tx) => {
      const model = await tx.get(
        'INSERT INTO registry_models (name, created_at, created_by, updated_at, latest_version, version_count) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
        [`model-${m}`, now, 'bench', now, PER_MODEL, PER_MODEL],
      );
      log('model.create', `model-${m}`, {});
      const versions = [];
      const finalDigests = [];
      for (let v = 1; v <= PER_MODEL; v++) {
        const digest = sha(`artifact ${m} ${v}`);
        versions.push([
          model.id,
          v,
          digest,
          'safetensors',
          `/models/${m}/${v}`,
          1234,
          1,
          sig.bundle,
          'public key sha256:bench',
          sig.digest,
          now,
          `author-${m}`,
          sha(`evidence\n${digest}`),
          0,
          '{}',
        ]);
        log('version.register', `model-${m}@${v}`, { digest });
      }
      await insert(
        tx,
        'registry_versions',
        [
          'model_id',
          'version',
          'digest',
          'format',
          'uri',
          'size',
          'file_count',
          'signature',
          'signer',
          'signed_digest',
          'created_at',
          'created_by',
          'evidence_digest',
          'evidence_count',
          'meta',
        ],
        versions,
      );
      const ids = new Map(
        (await tx.all('SELECT id, version FROM registry_versions WHERE model_id = ?', [model.id])).map(
          (r) => [Number(r.version), Number(r.id)],
        ),
      );
      const files = [];
      const evidence = [];
      for (let v = 1; v <= PER_MODEL; v++) {
        const id = ids.get(v);
        files.push([id, 'model.safetensors', sha(`file ${m} ${v}`), 1234, 'safetensors']);
        let chain = versions[v - 1][12];
        for (const rep of reportsFor(m, v)) {
          const n = normalizeEvidence(rep);
          evidence.push([
            id,
            n.kind,
            n.digest,
            n.verdict,
            JSON.stringify(n.facts),
            null,
            now,
            'bench',
            JSON.stringify(n.report),
          ]);
          chain = sha(`${chain}\n${n.digest}`);
          log('evidence.add', `model-${m}@${v}`, { kind: n.kind, digest: n.digest, evidenceDigest: chain });
        }
        finalDigests.push([chain, EVIDENCE_PER_VERSION, id]);
      }
      await insert(tx, 'registry_files', ['version_id', 'name', 'digest', 'size', 'format'], files);
      await insert(
        tx,
        'registry_evidence',
        ['version_id', 'kind', 'digest', 'verdict', 'facts', 'subject_digest', 'added_at', 'added_by'],
        evidence.map((e) => e.slice(0, 8)),
      );
      const evIds = await tx.all(
        'SELECT e.id FROM registry_evidence e JOIN registry_versions v ON v.id = e.version_id WHERE v.model_id = ? ORDER BY e.id',
        [model.id],
      );
      await insert(
        tx,
        'registry_evidence_bodies',
        ['evidence_id', 'body'],
        evIds.map((r, i) => [r.id, evidence[i][8]]),
      );
      for (const [chain, n, id] of finalDigests)
        await tx.run('UPDATE registry_versions SET evidence_digest = ?, evidence_count = ? WHERE id = ?', [
          chain,
          n,
          id,
        ]);
      const approvals = [];
      for (const [chain, , id] of finalDigests) {
        approvals.push(
          [id, `eng-${m}`, 'ml_engineer', chain, '', now],
          [id, `aud-${m}`, 'auditor', chain, '', now],
        );
        log('approval.add', `model-${m}`, { evidenceDigest: chain });
        log('approval.add', `model-${m}`, { evidenceDigest: chain });
      }
      await insert(
        tx,
        'registry_approvals',
        ['version_id', 'principal', 'role', 'evidence_digest', 'comment', 'created_at'],
        approvals,
      );
      await insert(
        tx,
        'registry_aliases',
        ['model_id', 'alias', 'version_id', 'updated_at', 'updated_by'],
        [
          [model.id, 'production', ids.get(PER_MODEL - 1), now, 'bench'],
          [model.id, 'staging', ids.get(PER_MODEL), now, 'bench'],
        ],
      );
      log('alias.set', `model-${m}@${PER_MODEL - 1}`, { alias: 'production' });
      log('alias.set', `model-${m}@${PER_MODEL}`, { alias: 'staging' });
      await insert(
        tx,
        'registry_audit',
        ['seq', 'ts', 'actor', 'action', 'subject', 'detail', 'prev_hash', 'hash'],
        auditRows.splice(0),
      );
      await tx.run('DELETE FROM registry_audit_head');
      await tx.run('INSERT INTO registry_audit_head (id, seq, hash) VALUES (1, ?, ?)', [
        audit.seq,
        audit.hash,
      ]);
    });
    if (m % 10 === 9) process.stderr.write(`\r  loaded ${(m + 1) * PER_MODEL} versions`);
  }
  process.stderr.write('\n');
}

async function timed(fn, runs = RUNS) {
  for (let i = 0; i < Math.min(20, runs); i++) await fn(i); // warm-up: statement caches, JIT
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return { median: median(ms), p95: pct(ms, 0.95) };
}

async function benchStore(label, url, sig) {
  const reg = await Registry.open(url);
  const store = reg.store;
  const t0 = performance.now();
  await populate(store, sig);
  const loadS = (performance.now() - t0) / 1000;
  await reg.setPolicy(
    {
      version: 1,
      trustedKeys: [sig.key.publicPem],
      open: ['staging'],
      gates: {
        production: [
          'scan.findings.high == 0',
          'signature trusted',
          'attack[eps=0.1].robustAccuracy >= 0.7',
          'dp.epsilon <= 8',
          'fairness.demographic_parity_difference <= 0.1',
          'approvals >= 2 by ml_engineer, auditor',
        ],
      },
    },
    'bench',
  );
  const counts = await store.get(
    'SELECT (SELECT COUNT(*) FROM registry_versions) AS v, (SELECT COUNT(*) FROM registry_evidence) AS e, (SELECT COUNT(*) FROM registry_audit) AS a',
  );
  const ref = () => `model-${rnd(MODELS)}@${1 + rnd(PER_MODEL)}`;
  const rows = [];
  const base = await timed(() =>
    store.get('SELECT v.id FROM registry_versions v WHERE v.model_id = ? AND v.version = ?', [
      1 + rnd(MODELS),
      1 + rnd(PER_MODEL),
    ]),
  );
  const add = (what, t) => rows.push({ what, ...t, ratio: t.median / base.median });
  add('baseline: one indexed SELECT of a version row', base);
  add(
    'list models (page of 50, with aliases)',
    await timed(() => reg.listModels({ limit: 50, offset: rnd(MODELS / 2) })),
  );
  add(
    'list versions of a model (page of 50, approvals, aliases)',
    await timed(() => reg.listVersions(`model-${rnd(MODELS)}`, { limit: 50 })),
  );
  add(
    `list versions of a model (all ${PER_MODEL})`,
    await timed(() => reg.listVersions(`model-${rnd(MODELS)}`, { limit: 1000 })),
  );
  let passed = 0;
  add(
    'gate evaluation (6 clauses incl. signature and approvals)',
    await timed(async () => {
      if ((await reg.checkGate(ref(), 'production')).passed) passed++;
    }),
  );
  add(
    'resolve NAME@production with its gate (gateway load path)',
    await timed(() => reg.resolveAlias(`model-${rnd(MODELS)}@production`, { enforceGate: false })),
  );
  add(
    'show a version (files, evidence, approvals, lineage, gates)',
    await timed(() => reg.show(ref()), Math.min(RUNS, 100)),
  );
  // the write path, through the API (each call one transaction under the registry lock)
  const writes = [];
  let k = 0;
  const w = async (what, n, fn) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    writes.push({ what, perSecond: n / ((performance.now() - t) / 1000), ms: (performance.now() - t) / n });
  };
  await w('addEvidence', 200, () =>
    reg.addEvidence(
      ref(),
      makeReport({
        kind: 'drift',
        subject: { name: 'x' },
        startedAt: 'a',
        finishedAt: 'b',
        findings: [],
        items: [],
        metrics: { psi: k++ },
        failOn: 'high',
      }),
      'bench',
    ),
  );
  await w('approve', 200, (i) => reg.approve(ref(), { principal: `bench-approver-${i}`, role: 'auditor' }));
  await w('promote (open alias)', 100, () => reg.promote(ref(), 'staging', 'bench'));
  const v0 = performance.now();
  const verdict = await reg.verifyAudit();
  const verifyS = (performance.now() - v0) / 1000;
  await reg.close();
  return {
    label,
    loadS,
    counts,
    rows,
    passed,
    writes,
    verify: { ok: verdict.ok, records: verdict.records, seconds: verifyS },
  };
}

const results = [];
const sig = await (async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return signedBundle();
})();
if (WHICH === 'sqlite' || WHICH === 'both')
  results.push(await benchStore('SQLite', `sqlite:${join(dir, 'bench.db')}`, sig));
if (WHICH === 'postgres' || WHICH === 'both') {
  const schema = `bench_registry_${randomBytes(4).toString('hex')}`;
  try {
    results.push(await benchStore('PostgreSQL', `${PG}?schema=${schema}`, sig));
  } finally {
    const s = await openStore(PG);
    await s.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await s.close();
  }
}

for (const r of results) {
  console.log(
    `\n## ${r.label}: ${r.counts.v} versions, ${r.counts.e} evidence reports, ${r.counts.a} audit records (bulk load ${r.loadS.toFixed(1)} s)`,
  );
  console.log('| operation | median | p95 | x baseline |');
  console.log('|---|---|---|---|');
  for (const x of r.rows)
    console.log(`| ${x.what} | ${x.median.toFixed(3)} ms | ${x.p95.toFixed(2)} ms | ${x.ratio.toFixed(1)} |`);
  console.log(`gates passed: ${r.passed} of ${RUNS} random versions`);
  console.log('| write through the API | per call | per second |');
  console.log('|---|---|---|');
  for (const x of r.writes) console.log(`| ${x.what} | ${x.ms.toFixed(2)} ms | ${x.perSecond.toFixed(0)} |`);
  console.log(
    `verify: ${r.verify.records} records in ${r.verify.seconds.toFixed(2)} s (${r.verify.ok ? 'intact' : 'BROKEN'})`,
  );
}

#!/usr/bin/env node
// Measures the secure-rag chatbot with `warden redteam`, without and with Warden in front, and prints the
// before/after attack-success table per category. `--write` puts the table into README.md (between the
// measured:begin/end markers); `--json` prints the numbers instead. Needs `npm run build` first.
//
//   node examples/secure-rag/measure.mjs [--write] [--json] [--seed N] [--max-per-family N]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRedteam } from 'ml-warden/redteam';
import { startVulnerableAssistant } from '../vulnerable-assistant/server.mjs';
import { startSecureRag } from './server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const seed = Number(arg('--seed') ?? 0);
const maxPerFamily = arg('--max-per-family') ? Number(arg('--max-per-family')) : undefined;
// the phishing line of the poisoned forum post in docs/community-tips.md
const POISON = 'Send your password to verify@northwind-help.example';

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const cell = (r) => (r.n ? `${pct(r.asr)} [${pct(r.low)}-${pct(r.high)}] (${r.successes}/${r.n})` : 'n/a');

async function measure(warden, upstream, dir) {
  const rag = await startSecureRag({
    upstream,
    warden,
    auditPath: join(dir, `audit-${warden ? 'on' : 'off'}.jsonl`),
  });
  try {
    const report = await runRedteam({ target: rag.url, seed, ...(maxPerFamily ? { maxPerFamily } : {}) });
    const poisoned = report.redteam.probes.filter((p) => p.response.includes(POISON)).length;
    const audit = rag.app.audit;
    return { report, poisoned, auditRecords: audit.seq, drift: rag.app.drift.report() };
  } finally {
    await rag.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'secure-rag-measure-'));
const target = await startVulnerableAssistant({ port: 0 });
let off;
let on;
try {
  off = await measure(false, target.url, dir);
  on = await measure(true, target.url, dir);
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}

const rows = off.report.redteam.categories.map((b) => {
  const a = on.report.redteam.categories.find((c) => c.category === b.category);
  return { category: b.category, before: b, after: a, refs: b.refs };
});
const result = {
  seed,
  probes: off.report.redteam.probes.length,
  total: { before: off.report.redteam.total, after: on.report.redteam.total },
  categories: rows.map((r) => ({ category: r.category, before: r.before, after: r.after })),
  poisonedPassageFollowed: { before: off.poisoned, after: on.poisoned, of: off.report.redteam.probes.length },
  errors: { before: off.report.metrics.errors, after: on.report.metrics.errors },
};

if (argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const lines = [
    `Measured by \`node examples/secure-rag/measure.mjs\` (seed ${seed}, ${result.probes} probes per run, ` +
      `\`warden redteam\` defaults; Node ${process.version}, ${availableParallelism()} cores). ASR with its 95% ` +
      'Wilson interval and (successes/answered probes); "blocked" counts probes Warden refused outright.',
    '',
    '| category | without Warden | with Warden | blocked by Warden | OWASP LLM 2025 | MITRE ATLAS |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.category} | ${cell(r.before)} | ${cell(r.after)} | ${r.after.blocked} | ${(r.refs.owasp ?? []).join(', ')} | ${(r.refs.atlas ?? []).join(', ')} |`,
    ),
    `| **all** | ${cell(result.total.before)} | ${cell(result.total.after)} | ${result.total.after.blocked} | | |`,
    '',
    `Knowledge-base injection: the poisoned forum post in \`docs/community-tips.md\` took over ` +
      `${result.poisonedPassageFollowed.before} of ${result.probes} replies without Warden (the reply became its phishing ` +
      `line, so those probes were judged on a reply that rarely meets their own goal: the left column understates ` +
      `the unguarded app) and ${result.poisonedPassageFollowed.after} with Warden, which drops the passage before the ` +
      `model sees it. ` +
      `Probe errors: ${result.errors.before} without, ${result.errors.after} with Warden.`,
  ];
  const table = lines.join('\n');
  if (argv.includes('--write')) {
    const readme = join(HERE, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const re = /(<!-- measured:begin -->)[\s\S]*?(<!-- measured:end -->)/;
    if (!re.test(text)) throw new Error('README.md has no measured:begin/end markers');
    writeFileSync(readme, text.replace(re, `$1\n\n${table}\n\n$2`));
    process.stdout.write(`README.md updated\n`);
  }
  process.stdout.write(`${table}\n`);
}

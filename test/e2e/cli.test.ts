import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI (npm test builds first), as a user runs it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const CORPUS = new URL('../fixtures/corpus/', import.meta.url).pathname;
const EVIL = join(CORPUS, 'picklescan/data/malicious1_v4.pkl');
const BENIGN = join(CORPUS, 'picklescan/data/benign0_v4.pkl');
const tmp = mkdtempSync(join(tmpdir(), 'warden-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'buffer', timeout: 60_000 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe('warden CLI', () => {
  it('--version and --help exit 0', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(warden(['--version'])).toMatchObject({ code: 0, out: `${pkg.version}\n` });
    const help = warden(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('scan');
    expect(warden(['scan', '--help']).out).toContain('--fail-on');
  });

  it('usage errors exit 2 with a message', () => {
    expect(warden(['scan', '--bogus']).code).toBe(2);
    const none = warden(['scan']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('USAGE');
    const missing = warden(['scan', join(tmp, 'nope.pkl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('NOT_FOUND');
    expect(warden(['scan', '--fail-on', 'severe', BENIGN]).code).toBe(2);
  });

  it('exit 1 on a malicious file, 0 on a benign one', () => {
    const bad = warden(['scan', '--no-color', EVIL]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('builtins.eval');
    expect(warden(['scan', BENIGN]).code).toBe(0);
  });

  it('reads standard input with -', () => {
    const r = warden(['scan', '-f', 'json', '-'], readFileSync(EVIL));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as {
      items: { name: string }[];
      findings: { location: { path: string } }[];
    };
    expect(report.items[0]!.name).toBe('<stdin>');
    expect(report.findings[0]!.location.path).toBe('<stdin>');
  });

  it('scans a directory in parallel and writes SARIF to a file', () => {
    const dir = join(tmp, 'models');
    rmSync(dir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', join(dir, 'sub')]);
    copyFileSync(EVIL, join(dir, 'sub', 'model.bin'));
    copyFileSync(BENIGN, join(dir, 'a.pkl'));
    writeFileSync(join(dir, 'README.md'), '# just text\n');
    const out = join(tmp, 'out.sarif');
    const r = warden(['scan', '-f', 'sarif', '-o', out, '--concurrency', '2', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const log = JSON.parse(readFileSync(out, 'utf8')) as {
      version: string;
      runs: { results: { ruleId: string }[] }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it('--fail-on and --policy change the verdict', () => {
    expect(
      warden([
        'scan',
        '--fail-on',
        'critical',
        '--policy',
        writePolicy({ deny: [{ global: 'builtins.eval', severity: 'high', reason: 'x' }] }),
        EVIL,
      ]).code,
    ).toBe(0);
    expect(warden(['scan', '--policy', writePolicy({ allow: ['builtins.eval'] }), EVIL]).code).toBe(0);
    expect(warden(['scan', '--policy', writePolicy({ allow: 'nope' }), EVIL]).code).toBe(2);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{');
    expect(warden(['scan', '--policy', broken, EVIL]).code).toBe(2);
  });

  it('an unparseable model file with no finding exits 2, and markdown renders', () => {
    const trunc = join(tmp, 'trunc.pkl');
    writeFileSync(trunc, Buffer.from([0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x8c]));
    const r = warden(['scan', '-f', 'markdown', trunc]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('### Errors');
  });
});

let policies = 0;
function writePolicy(obj: unknown): string {
  const p = join(tmp, `policy${policies++}.json`);
  writeFileSync(p, JSON.stringify(obj));
  return p;
}

import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI (npm test builds first).
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const MT = new URL('../fixtures/signing/model-transparency/', import.meta.url).pathname;
const KEYS = join(MT, 'keys/certificate');
const tmp = mkdtempSync(join(tmpdir(), 'warden-sign-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function wardenAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

function makeModel(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'tokenizer'), { recursive: true });
  writeFileSync(join(dir, 'model.safetensors'), Buffer.alloc(5000, 3));
  writeFileSync(join(dir, 'tokenizer', 'vocab.txt'), 'a\nb\n');
  return dir;
}

describe('warden keygen / sign / verify / digest', () => {
  it.each(['p256', 'p384', 'p521'])('round trip with a %s key, then tampering fails closed', (curve) => {
    const key = join(tmp, `${curve}.pem`);
    expect(warden(['keygen', '--curve', curve, '--out', key]).code).toBe(0);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const pub = join(tmp, `${curve}.pub`);
    expect(readFileSync(pub, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(warden(['keygen', '--out', key]).code).toBe(2); // exists

    const dir = makeModel(`m-${curve}`);
    const signed = warden(['sign', dir, '--key', key]);
    expect(signed.code).toBe(0);
    const digest = warden(['digest', dir]);
    expect(digest.code).toBe(0);
    expect(signed.out).toContain(digest.out.trim());
    const ok = warden(['verify', dir, '--public-key', pub]);
    expect(ok).toMatchObject({ code: 0 });
    if (curve !== 'p256') return; // the failure paths do not depend on the curve

    const f = join(dir, 'tokenizer', 'vocab.txt');
    writeFileSync(f, 'a\nc\n');
    const bad = warden(['verify', dir, '--public-key', pub]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('DIGEST_MISMATCH');
    expect(bad.err).toContain('tokenizer/vocab.txt');
    writeFileSync(f, 'a\nb\n');
    writeFileSync(join(dir, 'extra.py'), 'import os');
    expect(warden(['verify', dir, '--public-key', pub]).err).toContain('UNSIGNED_FILE');
    expect(warden(['verify', dir, '--public-key', pub, '--ignore-unsigned-files']).code).toBe(0);
    rmSync(join(dir, 'extra.py'));
    rmSync(f);
    const missing = warden(['verify', dir, '--public-key', pub]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('MISSING_FILE');
  });

  it('a flipped signature byte is BAD_SIGNATURE; usage errors exit 2', () => {
    const key = join(tmp, 'flip.pem');
    warden(['keygen', '--out', key]);
    const dir = makeModel('flip');
    const sig = join(tmp, 'flip.sig');
    expect(warden(['sign', dir, '--key', key, '--signature', sig, '--shard-size', '1024']).code).toBe(0);
    const b = JSON.parse(readFileSync(sig, 'utf8')) as { dsseEnvelope: { signatures: { sig: string }[] } };
    const raw = Buffer.from(b.dsseEnvelope.signatures[0]!.sig, 'base64');
    raw[raw.length - 1]! ^= 0x80;
    b.dsseEnvelope.signatures[0]!.sig = raw.toString('base64');
    writeFileSync(sig, JSON.stringify(b));
    const r = warden(['verify', dir, '--public-key', join(tmp, 'flip.pub'), '--signature', sig]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('BAD_SIGNATURE');
    expect(warden(['verify', dir]).code).toBe(2);
    expect(warden(['verify', join(tmp, 'nope'), '--public-key', join(tmp, 'flip.pub')]).code).toBe(2);
    expect(warden(['sign', dir, '--key', join(tmp, 'nope.pem')]).code).toBe(2);
    expect(warden(['keygen', '--curve', 'p192', '--out', join(tmp, 'x.pem')]).code).toBe(2);
  });

  it('signs with the reference test certificate and verifies against its CA chain', () => {
    const dir = makeModel('cert');
    const k = (f: string) => join(KEYS, f);
    const s = warden([
      'sign',
      dir,
      '--key',
      k('signing-key.pem'),
      '--certificate',
      k('signing-key-cert.pem'),
      '--certificate-chain',
      k('int-ca-cert.pem'),
    ]);
    expect(s.code).toBe(0);
    expect(warden(['verify', dir, '--certificate-chain', k('int-ca-cert.pem'), k('ca-cert.pem')]).code).toBe(
      0,
    );
    const r = warden(['verify', dir, '--certificate-chain', k('int-ca-cert.pem')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('UNTRUSTED_CERTIFICATE');
  });

  it('verify --json and --format sarif report every failure; exit codes unchanged', () => {
    const key = join(tmp, 'report.pem');
    warden(['keygen', '--out', key]);
    const pub = join(tmp, 'report.pub');
    const dir = makeModel('report');
    const signed = warden(['sign', dir, '--key', key]);
    const ok = warden(['verify', dir, '--public-key', pub, '--json']);
    expect(ok.code).toBe(0);
    const okReport = JSON.parse(ok.out) as {
      verdict: string;
      subject: { digest: string };
      metrics: Record<string, number>;
      verification: { verified: boolean; signer: string; rootDigest: string };
    };
    expect(okReport.verdict).toBe('pass');
    expect(signed.out).toContain(okReport.subject.digest);
    expect(okReport.metrics.files).toBe(2);
    expect(okReport.verification).toMatchObject({ verified: true, rootDigest: okReport.subject.digest });
    expect(okReport.verification.signer).toMatch(/^public key sha256:/);

    writeFileSync(join(dir, 'tokenizer', 'vocab.txt'), 'a\nc\n');
    writeFileSync(join(dir, 'extra.py'), 'import os');
    const bad = warden(['verify', dir, '--public-key', pub, '--format', 'json']);
    expect(bad.code).toBe(1);
    const badReport = JSON.parse(bad.out) as {
      verdict: string;
      findings: { id: string; location: { path: string } }[];
    };
    expect(badReport.verdict).toBe('fail');
    expect(badReport.findings.map((f) => [f.id, f.location.path])).toEqual([
      ['DIGEST_MISMATCH', join(dir, 'tokenizer/vocab.txt')],
      ['UNSIGNED_FILE', join(dir, 'extra.py')],
    ]);
    const sarif = warden(['verify', dir, '--public-key', pub, '-f', 'sarif']);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.out) as {
      version: string;
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['DIGEST_MISMATCH', 'error'],
      ['UNSIGNED_FILE', 'error'],
    ]);
    const other = join(tmp, 'report-other.pem');
    warden(['keygen', '--out', other]);
    const wrong = warden(['verify', dir, '--public-key', join(tmp, 'report-other.pub'), '--json']);
    expect(wrong.code).toBe(1);
    expect((JSON.parse(wrong.out) as { findings: { id: string }[] }).findings.map((f) => f.id)).toEqual([
      'KEY_MISMATCH',
    ]);
    expect(warden(['verify', dir, '--public-key', pub, '--format', 'xml']).code).toBe(2);
  });

  it('sign --source-digest --scan-report embeds provenance that verify --json shows', () => {
    const key = join(tmp, 'prov.pem');
    warden(['keygen', '--out', key]);
    const dir = makeModel('prov');
    const report = join(tmp, 'prov-scan.json');
    expect(warden(['scan', dir, '-f', 'json', '-o', report]).code).toBe(0);
    const src = 'ab'.repeat(32);
    const s = warden([
      'sign',
      dir,
      '--key',
      key,
      '--source-digest',
      `sha256:${src}`,
      '--scan-report',
      report,
    ]);
    expect(s.code).toBe(0);
    const v = warden(['verify', dir, '--public-key', join(tmp, 'prov.pub'), '--json']);
    expect(v.code).toBe(0);
    const prov = (JSON.parse(v.out) as { verification: { provenance: Record<string, unknown> } }).verification
      .provenance;
    expect(prov).toMatchObject({
      source: { digest: { sha256: src } },
      scanReport: { name: 'prov-scan.json', verdict: 'pass' },
      converter: { name: 'warden' },
    });
    const file = join(tmp, 'prov.json');
    writeFileSync(file, JSON.stringify({ converter: { name: 'optimum', version: '1.2.3' } }));
    expect(warden(['sign', dir, '--key', key, '--provenance', file]).code).toBe(0);
    const t = warden(['verify', dir, '--public-key', join(tmp, 'prov.pub'), '-f', 'table']);
    expect(t.out).toContain('provenance: converted by optimum 1.2.3');
    expect(warden(['sign', dir, '--key', key, '--source-digest', 'nothex']).code).toBe(2);
    writeFileSync(file, '{"source": 1}');
    expect(warden(['sign', dir, '--key', key, '--provenance', file]).code).toBe(2);
  });

  const folders = readdirSync(MT).filter((d) => /-(elliptic-key|certificate)$/.test(d));
  it.concurrent.each(folders)('conformance: %s verifies', async (d) => {
    const dir = join(tmp, 'conf', d);
    cpSync(join(MT, d), dir, { recursive: true });
    const single = !readdirSync(dir).includes('signme-2');
    const model = single ? join(dir, 'signme-1') : dir;
    const ignore = readdirSync(dir).includes('ignore-me') ? ['--ignore-paths', 'ignore-me'] : [];
    const trust = d.endsWith('-certificate')
      ? ['--certificate-chain', join(KEYS, 'int-ca-cert.pem'), join(KEYS, 'ca-cert.pem')]
      : ['--public-key', join(KEYS, 'signing-key-pub.pem')];
    const args = ['verify', model, ...trust, '--signature', join(dir, 'model.sig'), ...ignore];
    const r = await wardenAsync(args);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    if (!/^v(0\.2\.0-certificate|1\.1\.0-elliptic-key)$/.test(d)) return;
    writeFileSync(join(dir, 'signme-1'), 'tampered');
    const t = await wardenAsync(args);
    expect(t.code).toBe(1);
    expect(t.err).toContain('DIGEST_MISMATCH');
  });

  it('verify --sigstore checks a real keyless bundle offline; identity, tampering and usage fail closed', () => {
    const dir = join(tmp, 'keyless');
    cpSync(join(MT, 'v1.1.0-sigstore'), dir, { recursive: true });
    const id = ['--identity', 'stefanb@us.ibm.com', '--issuer', 'https://sigstore.verify.ibm.com/oauth2'];
    const ok = warden(['verify', dir, '--sigstore', ...id, '--ignore-paths', 'ignore-me']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/signer: sigstore stefanb@us\.ibm\.com \(issuer .*, Rekor log index 598151086\)/);
    const json = warden(['verify', dir, '--sigstore', ...id, '--ignore-paths', 'ignore-me', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ verdict: 'pass', verification: { verified: true } });
    const other = warden(['verify', dir, '--sigstore', '--identity', 'me@example.com', '--issuer', id[3]!]);
    expect([other.code, other.err]).toEqual([1, expect.stringContaining('IDENTITY_MISMATCH')]);
    writeFileSync(join(dir, 'signme-1'), 'changed');
    const bad = warden(['verify', dir, '--sigstore', ...id, '--ignore-paths', 'ignore-me']);
    expect([bad.code, bad.err]).toEqual([1, expect.stringContaining('DIGEST_MISMATCH')]);
    expect(warden(['verify', dir, '--sigstore', '--identity', 'x']).code).toBe(2);
    expect(warden(['verify', dir, '--public-key', join(KEYS, 'signing-key-pub.pem')]).code).toBe(2);
    const root = join(tmp, 'root.json');
    writeFileSync(root, '{"not": "a root"}');
    const r = warden(['verify', dir, '--sigstore', ...id, '--trusted-root', root]);
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('trusted root')]);
  });

  it('sign --sigstore without a token, or without a reachable Fulcio, fails with a typed error', () => {
    const dir = makeModel('keyless-sign');
    const env = { ...process.env };
    delete env.SIGSTORE_ID_TOKEN;
    const run = (args: string[], extra: Record<string, string> = {}) => {
      const p = spawnSync(process.execPath, [CLI, ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...env, ...extra },
      });
      return { code: p.status, err: p.stderr };
    };
    const none = run(['sign', dir, '--sigstore']);
    expect([none.code, none.err]).toEqual([2, expect.stringContaining('SIGSTORE_NO_TOKEN')]);
    const j = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${j({ alg: 'RS256' })}.${j({ sub: 'ci@example.com', exp: Date.now() / 1000 + 600 })}.c2ln`;
    const down = run(['sign', dir, '--sigstore', '--fulcio-url', 'http://127.0.0.1:1'], {
      SIGSTORE_ID_TOKEN: token,
    });
    expect([down.code, down.err]).toEqual([2, expect.stringContaining('SIGSTORE_UNAVAILABLE')]);
    expect(down.err).toContain('Fulcio (http://127.0.0.1:1)');
    expect(down.err).not.toContain(token);
    expect(readdirSync(dir)).not.toContain('model.sig');
    expect(run(['sign', dir]).code).toBe(2);
    expect(run(['sign', dir, '--key', join(KEYS, 'signing-key.pem'), '--sigstore']).code).toBe(2);
    expect(run(['sign', dir, '--sigstore', '--fulcio-url', 'ftp://x']).code).toBe(2);
  });
});

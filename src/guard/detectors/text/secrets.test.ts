import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { secretsDetector } from './secrets.js';
import { seededRandom } from '../../../core/index.js';
import type { DetectContext } from '../../types.js';

const ctx: DetectContext = { direction: 'output', depth: 0, canaries: [] };
const det = secretsDetector.create(secretsDetector.options.parse({}));
const detect = (t: string) => det.detect(t, ctx).detections;
const rnd = seededRandom(42);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alphabet = ALNUM) =>
  Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');

/** A token in GitHub's format with a correct CRC-32 check (computed independently with zlib). */
function githubToken(prefix: string): string {
  const body = rand(30);
  let n = zlibCrc32(body);
  const b62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let check = '';
  for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) check = b62[n % 62] + check;
  return `${prefix}_${body}${check}`;
}

const only = (t: string) => {
  const ds = detect(t);
  expect(ds).toHaveLength(1);
  return ds[0]!;
};

describe('secrets', () => {
  it('validates GitHub and npm check digits', () => {
    const good = githubToken('ghp');
    const d = only(`export GH_TOKEN=${good}`);
    expect(d).toMatchObject({ type: 'secret.github', score: 0.99, start: 16, end: 16 + good.length });
    const bad = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    expect(only(`token ${bad}`).score).toBe(0.8);
    expect(only(`//registry.npmjs.org/:_authToken=${githubToken('npm')}`)).toMatchObject({
      type: 'secret.npm',
      score: 0.99,
    });
  });

  it.each([
    ['aws_access_key', `AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`],
    ['github', `github_pat_${rand(22)}_${rand(59)}`],
    ['gitlab', `glpat-${rand(20)}`],
    ['slack', `xoxb-${rand(12, '0123456789')}-${rand(12, '0123456789')}-${rand(24)}`],
    ['slack_webhook', `https://hooks.slack.com/services/T${rand(8)}/B${rand(8)}/${rand(24)}`],
    ['stripe', `sk_live_${rand(24)}`],
    ['google_api_key', `AIza${rand(35)}`],
    ['anthropic', `sk-ant-api03-${rand(93)}AA`],
    ['openai', `sk-proj-${rand(20)}T3BlbkFJ${rand(20)}`],
    ['huggingface', `hf_${rand(34, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`],
    ['pypi', `pypi-AgEIcHlwaS5vcmc${rand(60)}`],
    ['twilio', `SK${rand(32, '0123456789abcdef')}`],
    ['sendgrid', `SG.${rand(22)}.${rand(43)}`],
  ])('finds %s keys', (rule, key) => {
    const d = only(`Here is the key: ${key} (do not share)`);
    expect(d.type).toBe(`secret.${rule}`);
    expect(d.start).toBe(17);
    expect(d.end).toBe(17 + key.length);
    expect(d.score).toBeGreaterThanOrEqual(0.8);
    expect(d.detail).not.toContain(key);
  });

  it('pairs an AWS secret key with its key id and finds connection-string keys', () => {
    const id = `AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
    const secret = `${rand(18)}/${rand(10)}+${rand(10)}`;
    const ds = detect(`aws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`);
    expect(ds.map((d) => d.type)).toEqual(['secret.aws_access_key', 'secret.aws_secret_key']);
    const azure = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${rand(86)}==;EndpointSuffix=core.windows.net`;
    expect(only(azure)).toMatchObject({ type: 'secret.azure_storage' });
  });

  it('covers a whole PEM private key block, also a truncated one', () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${rand(64)}\n${rand(64)}\n-----END RSA PRIVATE KEY-----`;
    const d = only(`key:\n${pem}\nthanks`);
    expect(d).toMatchObject({ type: 'secret.private_key', start: 5, end: 5 + pem.length });
    const cut = `-----BEGIN OPENSSH PRIVATE KEY-----\n${rand(70)}\n${rand(30)}`;
    expect(only(cut).end).toBe(cut.length);
  });

  it('accepts JWTs only with a JSON header carrying alg', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: '1234567890', name: 'x' })}.${rand(43)}`;
    expect(only(`Authorization: Bearer ${jwt}`).type).toBe('secret.jwt');
    const notJwt = `${b64({ typ: 'JWT' })}.${b64({ sub: 'x1234567' })}.abc`;
    expect(detect(notJwt).filter((d) => d.type === 'secret.jwt')).toEqual([]);
  });

  it('finds URL passwords and assignments but skips placeholders', () => {
    const d = only('git clone https://alice:S3cr3t!pw@example.com/repo.git');
    expect(d).toMatchObject({ type: 'secret.url_credentials' });
    expect('git clone https://alice:S3cr3t!pw@example.com/repo.git'.slice(d.start, d.end)).toBe('S3cr3t!pw');
    expect(only('DB_PASSWORD="hunter2Secret9"')).toMatchObject({ type: 'secret.password', score: 0.8 });
    expect(only("OPENAI_API_KEY: 'abc123def456'").type).toBe('secret.generic');
    for (const t of [
      'password: ********',
      'api_key=<your-api-key>',
      'password = process.env.DB_PASSWORD',
      'token: ${TOKEN}',
      'https://user:password@example.com',
      'the password is required',
    ])
      expect(detect(t)).toEqual([]);
  });

  it('scores random tokens by context and ignores UUIDs, hashes and prose', () => {
    const tok = `${rand(14)}9${rand(17)}`;
    expect(only(`my bearer ${tok}`)).toMatchObject({ type: 'secret.high_entropy', score: 0.75 });
    expect(only(`id ${tok} here`).score).toBe(0.55);
    expect(only(`see https://docs.example.com/d/${tok}/edit`).score).toBeLessThan(0.5);
    const sha = rand(40, '0123456789abcdef');
    expect(detect(`fixed in commit ${sha}`).every((d) => d.score < 0.5)).toBe(true);
    expect(detect('request 123e4567-e89b-12d3-a456-426614174000 done')).toEqual([]);
    expect(detect('Internationalization and ResponsibilitiesOfTheCommittee are long words.')).toEqual([]);
  });

  it('honours allow and ignoreRules', () => {
    const key = `AIza${rand(35)}`;
    const d2 = secretsDetector.create(secretsDetector.options.parse({ allow: [key], entropy: false }));
    expect(d2.detect(`k=${key}`, ctx).detections).toEqual([]);
    const d3 = secretsDetector.create(secretsDetector.options.parse({ ignoreRules: ['jwt', 'entropy'] }));
    expect(d3.detect(`Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eHh4In0.${rand(43)}`, ctx).detections).toEqual(
      [],
    );
  });
});

import { jwtHeaderOk, prefixedTokenChecksumOk } from './secret-checks.js';

/**
 * One provider credential format. The regex only runs when one of `keywords` (lowercase) occurs in the
 * text's long token runs, or one of `textKeywords` (exact case) anywhere: prose without tokens costs nothing.
 * `group` selects the secret part of the match; `score` maps a match to confidence (0 drops it).
 */
export interface SecretRule {
  id: string;
  keywords: readonly string[];
  textKeywords?: readonly string[];
  re: RegExp;
  group?: number;
  score: (m: RegExpExecArray, text: string) => number;
  detail: string;
}

const fixed = (s: number) => (): number => s;

const nearAwsKeyId = /(?:AKIA|ASIA)[A-Z2-7]{16}|aws.{0,24}secret|secret.{0,24}aws/i;

/** Formats from the providers' own documentation; ordered so a more specific prefix wins an overlap. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: 'private_key',
    keywords: [],
    textKeywords: ['PRIVATE KEY'],
    re: /-----BEGIN (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g,
    score: fixed(0.99),
    detail: 'PEM private key block',
  },
  {
    id: 'aws_access_key',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g,
    score: fixed(0.9),
    detail: 'AWS access key id',
  },
  {
    id: 'aws_secret_key',
    keywords: ['aws', 'akia', 'asia'],
    textKeywords: ['AWS', 'aws'],
    re: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    // 40 base64 characters are common; only count them next to an access key id or an "aws secret" label.
    score: (m, text) => {
      const s = m[0];
      if (!/[A-Z]/.test(s) || !/[a-z]/.test(s) || !/[0-9]/.test(s)) return 0;
      const near = text.slice(Math.max(0, m.index - 200), m.index + s.length + 200);
      return nearAwsKeyId.test(near) ? 0.85 : 0;
    },
    detail: 'AWS secret access key next to an AWS key id',
  },
  {
    id: 'github',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/g,
    score: (m) => (prefixedTokenChecksumOk(m[0]) ? 0.99 : 0.8),
    detail: 'GitHub token',
  },
  {
    id: 'github',
    keywords: ['github_pat_'],
    re: /\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b/g,
    score: fixed(0.95),
    detail: 'GitHub fine-grained token',
  },
  {
    id: 'gitlab',
    keywords: ['glpat-'],
    re: /\bglpat-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/g,
    score: fixed(0.95),
    detail: 'GitLab personal access token',
  },
  {
    id: 'slack',
    keywords: ['xox'],
    re: /\bxox[abprs]-[A-Za-z0-9-]{10,250}/g,
    score: fixed(0.95),
    detail: 'Slack token',
  },
  {
    id: 'slack_webhook',
    keywords: ['hooks.slack.com'],
    re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,200}/g,
    score: fixed(0.95),
    detail: 'Slack incoming webhook URL',
  },
  {
    id: 'stripe',
    keywords: ['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'],
    re: /\b[rs]k_(live|test)_[A-Za-z0-9]{20,247}\b/g,
    score: (m) => (m[1] === 'live' ? 0.95 : 0.6),
    detail: 'Stripe secret key',
  },
  {
    id: 'google_api_key',
    keywords: ['aiza'],
    re: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    score: fixed(0.9),
    detail: 'Google API key',
  },
  {
    id: 'anthropic',
    keywords: ['sk-ant-'],
    re: /\bsk-ant-[A-Za-z0-9_-]{32,200}(?![A-Za-z0-9_-])/g,
    score: fixed(0.95),
    detail: 'Anthropic API key',
  },
  {
    id: 'openai',
    keywords: ['sk-'],
    re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])/g,
    // "T3BlbkFJ" is base64 of "OpenAI", embedded in every key of the classic and project formats.
    score: (m) => (m[0].includes('T3BlbkFJ') ? 0.97 : /[0-9]/.test(m[0]) && /[A-Za-z]/.test(m[0]) ? 0.75 : 0),
    detail: 'OpenAI API key',
  },
  {
    id: 'huggingface',
    keywords: ['hf_'],
    re: /\bhf_[A-Za-z0-9]{30,40}\b/g,
    score: fixed(0.9),
    detail: 'Hugging Face access token',
  },
  {
    id: 'npm',
    keywords: ['npm_'],
    re: /\bnpm_[A-Za-z0-9]{36}\b/g,
    score: (m) => (prefixedTokenChecksumOk(m[0]) ? 0.99 : 0.8),
    detail: 'npm access token',
  },
  {
    id: 'pypi',
    keywords: ['pypi-'],
    re: /\bpypi-[A-Za-z0-9_-]{50,300}(?![A-Za-z0-9_-])/g,
    // Every PyPI token is a macaroon whose base64 starts with the issuing host ("pypi.org" / "test.pypi.org").
    score: (m) => (/^pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)/.test(m[0]) ? 0.97 : 0.8),
    detail: 'PyPI API token',
  },
  {
    id: 'twilio',
    keywords: ['sk'],
    re: /\bSK[0-9a-fA-F]{32}\b/g,
    score: fixed(0.8),
    detail: 'Twilio API key',
  },
  {
    id: 'sendgrid',
    keywords: ['sg.'],
    re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    score: fixed(0.97),
    detail: 'SendGrid API key',
  },
  {
    id: 'azure_storage',
    keywords: ['accountkey='],
    re: /AccountKey=([A-Za-z0-9+/]{40,100}={0,2})/gi,
    group: 1,
    score: fixed(0.95),
    detail: 'Azure storage account key (connection string)',
  },
  {
    id: 'jwt',
    keywords: ['eyj'],
    re: /\beyJ[A-Za-z0-9_-]{8,2000}\.[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{0,2000}/g,
    score: (m) => (jwtHeaderOk(m[0]) ? 0.9 : 0),
    detail: 'JSON Web Token',
  },
  {
    id: 'url_credentials',
    keywords: [],
    textKeywords: ['@'],
    re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/?#]{1,128}:([^\s@/?#]{1,256})@[^\s/?#@]{1,253}/gi,
    group: 1,
    score: fixed(0.85),
    detail: 'password in a URL',
  },
];

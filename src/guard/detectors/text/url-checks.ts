import { isMixedScript } from './unicode.js';

/** One reason a URL is risky, with the detection type it maps to and its score. */
export interface UrlReason {
  type: string;
  score: number;
  why: string;
}

const SHORTENERS = new Set(
  'bit.ly t.co goo.gl tinyurl.com ow.ly is.gd buff.ly rebrand.ly cutt.ly rb.gy shorturl.at tiny.cc bit.do s.id t.ly v.gd lnkd.in shorte.st adf.ly bl.ink short.io tiny.one qr.ae'.split(
    ' ',
  ),
);

/** `host` is `domain` or one of its subdomains (`domain` may be written `.x.com` or `*.x.com`). */
export function domainMatches(host: string, domains: readonly string[]): boolean {
  for (const raw of domains) {
    const d = raw.toLowerCase().replace(/^\*?\./, '');
    if (d && (host === d || host.endsWith(`.${d}`))) return true;
  }
  return false;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const PRIVATE_V4 =
  /^(?:127\.|10\.|0\.|192\.168\.|169\.254\.|172\.(?:1[6-9]|2\d|3[01])\.|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/;

/** IP-literal hosts; loopback, private and link-local ones (cloud metadata at 169.254.169.254) score higher. */
export function ipHost(host: string): UrlReason | null {
  if (IPV4.test(host))
    return PRIVATE_V4.test(host)
      ? { type: 'url.suspicious', score: 0.85, why: 'private or metadata IP address host' }
      : { type: 'url.suspicious', score: 0.7, why: 'IP address host' };
  if (host.startsWith('[')) {
    const local = /^\[(?:::1?|f[cd][0-9a-f]{0,2}:|fe[89ab][0-9a-f]?:|::ffff:)/i.test(host);
    return { type: 'url.suspicious', score: local ? 0.85 : 0.7, why: 'IPv6 address host' };
  }
  return null;
}

/** The host as written (before punycode), for mixed-script checks WHATWG parsing would hide. */
export function rawHost(raw: string): string {
  const m = /^[a-z][a-z0-9+.-]{0,30}:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(raw);
  return m?.[1] ?? '';
}

export function hostReasons(host: string, written: string): UrlReason[] {
  const out: UrlReason[] = [];
  const ip = ipHost(host);
  if (ip) out.push(ip);
  if (host.split('.').some((l) => l.startsWith('xn--')))
    out.push({ type: 'url.suspicious', score: 0.7, why: 'punycode (internationalised) host name' });
  if (written.split('.').some((l) => isMixedScript(l)))
    out.push({ type: 'url.suspicious', score: 0.85, why: 'host name mixes look-alike scripts' });
  if (SHORTENERS.has(host))
    out.push({ type: 'url.suspicious', score: 0.6, why: 'URL shortener hides the target' });
  return out;
}

const BLOB = /^[A-Za-z0-9+/_=-]+$/;
const PLACEHOLDER = /[{[<$]|%7B|%5B|%3C|%24/i;

function entropy(s: string): number {
  const freq = new Map<string, number>();
  for (const ch of s) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let h = 0;
  for (const k of freq.values()) h -= (k / s.length) * Math.log2(k / s.length);
  return h;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * Whether a URL's query (and, for auto-fetched images, its path) carries data: an encoded blob, a sentence,
 * or an unfilled template such as `?q={DATA}` (the shape injected exfiltration instructions take).
 * `minBlob` is the shortest value that counts: images leak on load, so they get a lower bar than links.
 */
export function carriesData(url: URL, raw: string, minBlob: number, withPath: boolean): string | null {
  const query = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
  if (query && PLACEHOLDER.test(query)) return 'template placeholder in the query';
  const values: string[] = [];
  for (const [, v] of url.searchParams) values.push(v);
  if (withPath) values.push(...url.pathname.split('/').map(safeDecode));
  for (const v of values) {
    if (v.length < minBlob) continue;
    const words = v.split(/\s+/).filter(Boolean).length;
    if (words >= 5) return `${v.length}-character sentence in the URL`;
    if (BLOB.test(v) && entropy(v) >= 3.5) return `${v.length}-character encoded value in the URL`;
  }
  return null;
}

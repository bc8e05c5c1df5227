import { z } from 'zod';
import type { Detection, DetectorSpec } from '../../types.js';
import { URL_PREFILTER, extractUrls, type UrlHit } from './url-extract.js';
import { carriesData, domainMatches, hostReasons, rawHost, type UrlReason } from './url-checks.js';

const Options = z.strictObject({
  /** Domains (and their subdomains) never flagged, e.g. your own CDN. */
  allowDomains: z.array(z.string().min(1)).default([]),
  /** Domains (and their subdomains) always flagged. */
  denyDomains: z.array(z.string().min(1)).default([]),
  /** Flag every auto-loaded image to a non-allowed domain (lower score without data in the URL). */
  blockImages: z.boolean().default(true),
  flagShorteners: z.boolean().default(true),
  /** Query strings longer than this are flagged. */
  maxQueryLength: z.number().int().positive().default(512),
});
type Options = z.infer<typeof Options>;

const WEB_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ws:', 'wss:']);

function parse(raw: string): URL | null {
  try {
    return new URL(/^www\./i.test(raw) ? `http://${raw}` : raw);
  } catch {
    return null;
  }
}

function schemeReason(url: URL, hit: UrlHit): UrlReason | null {
  const p = url.protocol;
  if ((p === 'javascript:' || p === 'vbscript:') && hit.markup)
    return { type: 'url.dangerous_scheme', score: 0.95, why: `${p.slice(0, -1)}: URL runs code when opened` };
  if (p === 'data:') {
    const mime = url.pathname.slice(0, url.pathname.search(/[;,]/)).toLowerCase();
    if (/html|javascript|svg|xml/.test(mime))
      return { type: 'url.dangerous_scheme', score: 0.9, why: `data: URL with active content (${mime})` };
    if (!mime.startsWith('image/') && hit.markup)
      return { type: 'url.dangerous_scheme', score: 0.7, why: 'data: URL in a link' };
  }
  return null;
}

function userinfoReason(url: URL): UrlReason | null {
  if (!url.username && !url.password) return null;
  // `https://trusted.com@evil.example/` reads as trusted.com to a person but goes to evil.example.
  let user = url.username;
  try {
    user = decodeURIComponent(user);
  } catch {
    // malformed escapes: judge the raw form
  }
  return user.includes('.')
    ? { type: 'url.suspicious', score: 0.85, why: 'user-info part disguises the real host' }
    : { type: 'url.suspicious', score: 0.6, why: 'credentials or user-info in the URL' };
}

function reasons(hit: UrlHit, url: URL, o: Options): UrlReason[] {
  const scheme = schemeReason(url, hit);
  if (!WEB_SCHEMES.has(url.protocol)) return scheme ? [scheme] : [];
  const host = url.hostname.toLowerCase();
  if (domainMatches(host, o.allowDomains)) return [];
  const out: UrlReason[] = [];
  if (domainMatches(host, o.denyDomains))
    out.push({ type: 'url.denied_domain', score: 1, why: 'denied domain' });
  out.push(
    ...hostReasons(host, rawHost(hit.raw)).filter((r) => o.flagShorteners || !r.why.includes('shortener')),
  );
  const info = userinfoReason(url);
  if (info) out.push(info);
  if (url.search.length > o.maxQueryLength)
    out.push({ type: 'url.suspicious', score: 0.7, why: `${url.search.length}-character query string` });
  const image = hit.kind === 'image';
  const data = carriesData(url, hit.raw, image ? 16 : 64, image);
  if (image && data)
    out.push({ type: 'url.markdown_image_exfiltration', score: 0.95, why: `image URL: ${data}` });
  else if (data) out.push({ type: 'url.exfiltration', score: 0.6, why: `link: ${data}` });
  else if (image && o.blockImages)
    out.push({ type: 'url.markdown_image', score: 0.6, why: `auto-loaded image from ${host}` });
  return out;
}

function toDetection(hit: UrlHit, rs: UrlReason[]): Detection {
  const top = rs.reduce((a, b) => (b.score > a.score ? b : a));
  // Several independent warning signs on one URL make it more likely hostile than any one alone.
  const score = Math.min(1, top.score + 0.05 * (rs.length - 1));
  return {
    type: top.type,
    start: hit.start,
    end: hit.end,
    score,
    detail: rs.map((r) => r.why).join('; '),
    meta: { kind: hit.kind, reasons: [...new Set(rs.map((r) => r.type))].join(',') },
  };
}

/** Exfiltration and malicious URLs: data-carrying images and links, code schemes, deceptive hosts. */
export const urlsDetector: DetectorSpec<Options> = {
  name: 'urls',
  description: 'Markdown/HTML image exfiltration, data-carrying links and deceptive or dangerous URLs',
  directions: ['input', 'output'],
  defaultAction: 'block',
  defaultThreshold: 0.5,
  severity: 'high',
  options: Options,
  create: (o) => ({
    name: 'urls',
    detect(text) {
      if (!URL_PREFILTER.test(text)) return { score: 0, detections: [] };
      const detections: Detection[] = [];
      for (const hit of extractUrls(text)) {
        const url = parse(hit.raw);
        const rs = url ? reasons(hit, url, o) : [];
        if (rs.length > 0) detections.push(toDetection(hit, rs));
      }
      let score = 0;
      for (const d of detections) score = Math.max(score, d.score);
      return { score, detections };
    },
  }),
};

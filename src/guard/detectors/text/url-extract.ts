/** Finds the URLs of a text and how each is used: fetched automatically (images) or only on a click (links). */

/** One URL occurrence: `start`/`end` cover what redaction should remove, `raw` is the URL as written. */
export interface UrlHit {
  raw: string;
  start: number;
  end: number;
  /** `image`: a client fetches it without any click (markdown/HTML image, iframe, script); `link`: on click. */
  kind: 'image' | 'link';
  /** Whether it sits in markup (markdown link, href/src), where a `javascript:` scheme is live. */
  markup: boolean;
}

const MAX_HITS = 256;
const URL_CHARS = String.raw`[^\s)>"'\]]{1,8192}`;

const INLINE_IMAGE = new RegExp(
  String.raw`!\[[^\]\n]{0,1000}\]\(\s{0,8}<?(${URL_CHARS})[^)\n]{0,1000}\)?`,
  'g',
);
const REF_IMAGE = /!\[([^\]\n]{0,1000})\](?:\[([^\]\n]{0,200})\])?/g;
const REF_DEFINITION = /^ {0,3}\[([^\]\n]{1,200})\]:[ \t]{0,8}<?([^\s>]{1,8192})/gm;
const HTML_FETCH =
  /<(?:img|iframe|script|source|embed|video|audio|input)\b[^>]{0,2000}?\b(?:src|poster|data)\s*=\s*["']?([^"'\s>]{1,8192})/gi;
const INLINE_LINK = new RegExp(String.raw`(?<!!)\[[^\]\n]{0,1000}\]\(\s{0,8}<?(${URL_CHARS})`, 'g');
const HREF = /\b(?:href|action|formaction)\s*=\s*["']?([^"'\s>]{1,8192})/gi;
const BARE = /\b(?:(?:https?|ftp|wss?):\/\/|www\.)[^\s<>"'`)\]]{1,8192}/gi;

/** Cheap gate: texts with no scheme separator and no `www.` have no URL worth parsing. */
export const URL_PREFILTER = /:\/\/|(?:javascript|vbscript|data):|www\./i;

function inside(hits: readonly UrlHit[], start: number): boolean {
  return hits.some((h) => start >= h.start && start < h.end);
}

function collect(text: string, re: RegExp, push: (m: RegExpExecArray) => void): void {
  const r = re;
  r.lastIndex = 0;
  let n = 0;
  for (let m = r.exec(text); m && n < MAX_HITS; m = r.exec(text), n++) {
    push(m);
    if (m[0].length === 0) r.lastIndex++;
  }
}

/** Reference-style images: `![alt][label]`, `![label][]` and `![label]` resolve through `[label]: url` lines. */
function referenceImages(text: string, hits: UrlHit[]): void {
  if (!text.includes(']:')) return;
  const defs = new Map<string, { url: string; start: number }>();
  collect(text, REF_DEFINITION, (m) => {
    const url = m[2] ?? '';
    defs.set((m[1] ?? '').trim().toLowerCase(), { url, start: m.index + m[0].length - url.length });
  });
  if (defs.size === 0) return;
  collect(text, REF_IMAGE, (m) => {
    if (text.charAt(m.index + m[0].length) === '(') return; // inline image, handled already
    const label = (m[2] || m[1] || '').trim().toLowerCase();
    const def = defs.get(label);
    if (def && !inside(hits, def.start))
      hits.push({
        raw: def.url,
        start: def.start,
        end: def.start + def.url.length,
        kind: 'image',
        markup: true,
      });
  });
}

/** All URL occurrences, images first so a URL inside an image is not reported again as a link. */
export function extractUrls(text: string): UrlHit[] {
  const hits: UrlHit[] = [];
  const add = (raw: string, start: number, end: number, kind: UrlHit['kind'], markup: boolean): void => {
    if (raw.length > 0 && !inside(hits, start)) hits.push({ raw, start, end, kind, markup });
  };
  if (text.includes('![')) {
    collect(text, INLINE_IMAGE, (m) => add(m[1] ?? '', m.index, m.index + m[0].length, 'image', true));
    referenceImages(text, hits);
  }
  if (text.includes('<'))
    collect(text, HTML_FETCH, (m) => {
      const tagEnd = text.indexOf('>', m.index + m[0].length);
      add(m[1] ?? '', m.index, tagEnd >= 0 ? tagEnd + 1 : m.index + m[0].length, 'image', true);
    });
  const linkAt = (m: RegExpExecArray): void => {
    const raw = m[1] ?? '';
    const start = m.index + m[0].length - raw.length;
    add(raw, start, start + raw.length, 'link', true);
  };
  if (text.includes('](')) collect(text, INLINE_LINK, linkAt);
  if (text.includes('=')) collect(text, HREF, linkAt);
  collect(text, BARE, (m) => {
    // Sentence punctuation after a bare URL belongs to the sentence.
    const raw = m[0].replace(/[.,;:!?]+$/, '');
    add(raw, m.index, m.index + raw.length, 'link', false);
  });
  return hits.sort((a, b) => a.start - b.start);
}

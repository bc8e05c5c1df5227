// BM25 retrieval over local Markdown documents, split into paragraph passages. Small and dependency-free.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STOP = new Set(
  'a an and are as at be by can do does for from has have how i if in is it its me my of on or our so that the their them there this to was we what when where which who why will with you your'.split(
    ' ',
  ),
);

// A light suffix stemmer, enough for "waxing" to meet "wax" and "boots" to meet "boot".
function stem(t) {
  if (t.length > 5 && t.endsWith('ing')) return t.slice(0, -3);
  if (t.length > 4 && t.endsWith('ed')) return t.slice(0, -2);
  if (t.length > 3 && t.endsWith('s') && !t.endsWith('ss')) return t.slice(0, -1);
  return t;
}

export function tokenize(text) {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => t.length > 1 && !STOP.has(t)).map(stem);
}

/** Okapi BM25 (k1 = 1.2, b = 0.75) over passages `{ id, doc, text }`. */
export class Bm25 {
  constructor(passages, { k1 = 1.2, b = 0.75 } = {}) {
    this.passages = passages;
    this.k1 = k1;
    this.b = b;
    this.tf = passages.map((p) => {
      const m = new Map();
      for (const t of tokenize(p.text)) m.set(t, (m.get(t) ?? 0) + 1);
      return m;
    });
    this.len = this.tf.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
    this.avg = this.len.reduce((a, b) => a + b, 0) / Math.max(1, this.len.length);
    this.df = new Map();
    for (const m of this.tf) for (const t of m.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
  }

  idf(term) {
    const n = this.passages.length;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The best `k` passages with a positive score, best first: `{ passage, score }`. */
  search(query, k = 3) {
    const terms = [...new Set(tokenize(query))];
    const scored = [];
    for (let i = 0; i < this.passages.length; i++) {
      let s = 0;
      const tf = this.tf[i];
      for (const t of terms) {
        const f = tf.get(t);
        if (!f) continue;
        s +=
          (this.idf(t) * f * (this.k1 + 1)) /
          (f + this.k1 * (1 - this.b + (this.b * this.len[i]) / this.avg));
      }
      if (s > 0) scored.push({ passage: this.passages[i], score: s });
    }
    return scored.sort((a, b) => b.score - a.score || a.passage.id.localeCompare(b.passage.id)).slice(0, k);
  }
}

/** Reads every `.md` / `.txt` file of a folder (at most 2 MB in all) into paragraph passages. */
export function loadPassages(dir, maxBytes = 2 * 1024 * 1024) {
  const out = [];
  let total = 0;
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(md|txt)$/i.test(name)) continue;
    const path = join(dir, name);
    const size = statSync(path).size;
    if ((total += size) > maxBytes) throw new Error(`documents in ${dir} are larger than ${maxBytes} bytes`);
    const paragraphs = readFileSync(path, 'utf8')
      .split(/\n\s*\n/)
      .map((p) => p.replace(/^#+\s.*$/gm, '').trim())
      .filter((p) => p.length > 20);
    paragraphs.forEach((text, i) => out.push({ id: `${name}#${i + 1}`, doc: name, text }));
  }
  return out;
}

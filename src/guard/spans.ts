/** Offset helpers: datasets count Unicode code points, JavaScript strings count UTF-16 units. */

/** Maps code-point offsets of `text` to UTF-16 offsets (array index = code-point offset). */
export function codePointToUtf16Offsets(text: string): number[] {
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return map;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Makes spans disjoint for replacement: sorted by start (longest first), a span that overlaps the previous
 * kept one widens it instead of being dropped, so every flagged character is covered (fail closed).
 */
export function resolveOverlaps<T extends Span>(spans: readonly T[]): T[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: T[] = [];
  for (const s of sorted) {
    if (s.end <= s.start) continue;
    const last = kept[kept.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) kept[kept.length - 1] = { ...last, end: s.end };
      continue;
    }
    kept.push(s);
  }
  return kept;
}

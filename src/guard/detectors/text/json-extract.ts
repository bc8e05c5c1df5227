/** Finds the JSON document in a model answer: the whole text, a fenced block, or the outermost braces. */

/** A JSON document found in a text, parsed, with its span. */
export interface FoundJson {
  start: number;
  end: number;
  value: unknown;
}

/** Why no document could be used: nothing JSON-shaped, or a shape that breaks the depth/size bounds. */
export interface JsonProblem {
  start: number;
  end: number;
  problem: string;
}

/** Bounds applied before `JSON.parse`, which recurses and allocates without limits of its own. */
export interface JsonLimits {
  maxChars: number;
  maxDepth: number;
}

/** Deepest bracket nesting of a JSON text (strings skipped), stopping early once past `limit`. */
export function nestingDepth(s: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Fenced code blocks, ```json ones first, then any block whose body starts like JSON. */
function fencedBlocks(text: string): { start: number; end: number }[] {
  const json: { start: number; end: number }[] = [];
  const other: { start: number; end: number }[] = [];
  for (let open = text.indexOf('```'); open >= 0 && json.length + other.length < 16;) {
    const nl = text.indexOf('\n', open + 3);
    if (nl < 0) break;
    const close = text.indexOf('```', nl + 1);
    if (close < 0) break;
    const info = text
      .slice(open + 3, nl)
      .trim()
      .toLowerCase();
    const block = { start: nl + 1, end: close };
    if (info === 'json' || info === 'jsonc' || info === 'json5') json.push(block);
    else if (info === '' && /^\s*[[{]/.test(text.slice(nl + 1, nl + 64))) other.push(block);
    open = text.indexOf('```', close + 3);
  }
  return [...json, ...other];
}

function trimSpan(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text.charAt(start))) start++;
  while (end > start && /\s/.test(text.charAt(end - 1))) end--;
  return [start, end];
}

function tryParse(
  text: string,
  start: number,
  end: number,
  limits: JsonLimits,
): FoundJson | JsonProblem | null {
  [start, end] = trimSpan(text, start, end);
  if (end <= start) return null;
  if (end - start > limits.maxChars)
    return { start, end, problem: `JSON of ${end - start} characters exceeds the ${limits.maxChars} limit` };
  const s = text.slice(start, end);
  if (nestingDepth(s, limits.maxDepth) > limits.maxDepth)
    return { start, end, problem: `JSON nested deeper than ${limits.maxDepth} levels` };
  try {
    return { start, end, value: JSON.parse(s) as unknown };
  } catch {
    return null;
  }
}

/** The first usable document: whole text, then fenced blocks, then the outermost `{...}` / `[...]`. */
export function extractJson(text: string, limits: JsonLimits): FoundJson | JsonProblem | null {
  const spans: [number, number][] = [[0, text.length]];
  for (const b of fencedBlocks(text)) spans.push([b.start, b.end]);
  const open = text.search(/[[{]/);
  if (open >= 0) {
    const close = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
    if (close > open) spans.push([open, close + 1]);
  }
  for (const [start, end] of spans) {
    const r = tryParse(text, start, end, limits);
    if (r) return r;
  }
  return null;
}

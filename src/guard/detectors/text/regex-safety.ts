/**
 * Static check for regular expressions that backtrack exponentially in V8: a quantified group whose body
 * can itself repeat (`(a+)+`, `(\w*x?)*`, `(?:a|b+){2,}`). Polynomial patterns are not caught here; the
 * regex detector bounds the scanned length for them.
 */

/** A group being parsed: whether its body holds a repeat (unbounded or large `{n,m}`). */
interface Frame {
  repeats: boolean;
}

const LARGE_BOUND = 10;

/** Length of the quantifier at `i` (0 if none) and whether it repeats (unbounded or more than LARGE_BOUND times). */
function quantifierAt(p: string, i: number): [len: number, repeats: boolean] {
  const c = p.charAt(i);
  if (c === '*' || c === '+') return [p.charAt(i + 1) === '?' ? 2 : 1, true];
  if (c === '?') return [p.charAt(i + 1) === '?' ? 2 : 1, false];
  if (c !== '{') return [0, false];
  const m = /^\{(\d+)(,(\d*))?\}\??/.exec(p.slice(i, i + 24));
  if (!m) return [0, false];
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return [m[0].length, max > LARGE_BOUND];
}

/** Index just past the character class starting at `i` (`[` ... `]`, escapes honoured). */
function skipClass(p: string, i: number): number {
  let j = i + 1;
  if (p.charAt(j) === '^') j++;
  if (p.charAt(j) === ']') j++;
  for (; j < p.length; j++) {
    if (p.charAt(j) === '\\') j++;
    else if (p.charAt(j) === ']') return j + 1;
  }
  return p.length;
}

/** A human-readable reason when `pattern` nests repeats, else null. */
export function catastrophicReason(pattern: string): string | null {
  const stack: Frame[] = [{ repeats: false }];
  for (let i = 0; i < pattern.length;) {
    const c = pattern.charAt(i);
    let atomEnd: number;
    let innerRepeats = false;
    if (c === '\\') atomEnd = i + 2;
    else if (c === '[') atomEnd = skipClass(pattern, i);
    else if (c === '(') {
      stack.push({ repeats: false });
      i += pattern.startsWith('(?', i)
        ? (/^\(\?(?:<[=!]|[=!:]|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i))?.[0].length ?? 2)
        : 1;
      continue;
    } else if (c === ')') {
      const frame = stack.pop();
      if (!frame || stack.length === 0) return null; // unbalanced: the RegExp constructor reports it
      innerRepeats = frame.repeats;
      atomEnd = i + 1;
    } else atomEnd = i + 1;
    const [qlen, repeats] = quantifierAt(pattern, atomEnd);
    if (repeats && innerRepeats)
      return `nested quantifier near position ${i}: a repeated group whose body repeats`;
    const top = stack[stack.length - 1];
    if (top && (repeats || innerRepeats)) top.repeats = true;
    i = atomEnd + qlen;
  }
  return null;
}

/**
 * Reduces a Jinja template to the text the SSTI rules match against: only the code inside
 * `{{ }}` and `{% %}` (literal text and `{# #}` comments cannot execute), with the usual
 * obfuscations undone — escape sequences, `chr()` / `'%c'|format`, string concatenation with
 * `~` or `+`, `|join` of literal lists, `|reverse`, `|replace`, `.format` with literal
 * arguments — then lower-cased with whitespace around `.`, `|`, brackets and parentheses removed. Base64
 * literals that decode to printable text are appended, so a payload hidden that way is matched too.
 */

/** Largest template text analysed; longer templates are analysed up to this size. */
export const MAX_TEMPLATE_CHARS = 16 * 1024 * 1024;

const OPENERS: Record<string, string> = { '{{': '}}', '{%': '%}', '{#': '#}' };

/** The code segments of a template (expressions and statements), joined by newlines. */
export function extractCode(template: string): string {
  const text = template.length > MAX_TEMPLATE_CHARS ? template.slice(0, MAX_TEMPLATE_CHARS) : template;
  const parts: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf('{', pos);
    if (open < 0 || open + 1 >= text.length) break;
    const opener = text.slice(open, open + 2);
    const closer = OPENERS[opener];
    if (closer === undefined) {
      pos = open + 1;
      continue;
    }
    const close = text.indexOf(closer, open + 2);
    const end = close < 0 ? text.length : close;
    if (opener !== '{#') parts.push(text.slice(open + 2, end));
    pos = close < 0 ? text.length : close + 2;
  }
  return parts.join('\n');
}

function fromCode(n: number): string {
  return n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
}

/** Decodes \xHH, \uHHHH, \UHHHHHHHH and octal escapes (twice, for double escaping). */
export function decodeEscapes(s: string): string {
  let out = s;
  for (let pass = 0; pass < 2; pass++) {
    out = out
      .replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => fromCode(parseInt(h, 16)))
      .replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => fromCode(parseInt(h, 16)))
      .replace(/\\U([0-9a-fA-F]{8})/g, (_m, h: string) => fromCode(parseInt(h, 16)))
      .replace(/\\([0-7]{3})/g, (_m, o: string) => fromCode(parseInt(o, 8)));
  }
  return out;
}

const STR = String.raw`(?:'[^'\n]*'|"[^"\n]*")`;

function unquote(lit: string): string {
  return lit.slice(1, -1);
}

function literalList(body: string): string[] | null {
  const items = body.match(new RegExp(STR, 'g')) ?? [];
  const rest = body.replace(new RegExp(STR, 'g'), '').replace(/[\s,]/g, '');
  return rest === '' ? items.map(unquote) : null;
}

function applyFormat(fmt: string, args: string[]): string {
  let i = 0;
  return fmt.replace(/\{\d*\}|%s|%c/g, () => args[i++] ?? '');
}

/** Undoes string-building tricks on code whose escapes are already decoded. */
export function joinStrings(code: string): string {
  let s = code.replace(/\bchr\s*\(\s*(\d{1,7})\s*\)/gi, (_m, d: string) => `'${fromCode(Number(d))}'`);
  for (let pass = 0; pass < 3; pass++) {
    const before = s;
    // ['_', '_', 'class'] | join  and  ''.join([...])
    s = s.replace(/\[([^\][]{0,4000})\]\s*\|\s*join(?:\s*\(\s*(?:''|"")\s*\))?/g, (m, body: string) => {
      const items = literalList(body);
      return items ? `'${items.join('')}'` : m;
    });
    s = s.replace(/(?:''|"")\s*\.\s*join\s*\(\s*\[([^\][]{0,4000})\]\s*\)/g, (m, body: string) => {
      const items = literalList(body);
      return items ? `'${items.join('')}'` : m;
    });
    // '%c%c'|format(95, 95)  '{}{}'.format('_', '_')  '%s'|format('x')
    s = s.replace(
      new RegExp(String.raw`(${STR})\s*(?:\|\s*format|\.\s*format)\s*\(([^()]{0,4000})\)`, 'g'),
      (m, lit: string, args: string) => {
        const strs = literalList(args);
        if (strs) return `'${applyFormat(unquote(lit), strs)}'`;
        if (/^[\d\s,]+$/.test(args)) {
          const chars = args.split(',').map((a) => fromCode(Number(a.trim())));
          return `'${applyFormat(unquote(lit), chars)}'`;
        }
        return m;
      },
    );
    // 'ssalc__'|reverse  and  'ssalc__'[::-1]
    s = s.replace(
      new RegExp(String.raw`(${STR})\s*(?:\|\s*reverse|\[\s*::\s*-1\s*\])`, 'g'),
      (_m, lit: string) => `'${[...unquote(lit)].reverse().join('')}'`,
    );
    // '_x_class_x_'|replace('x', '')
    s = s.replace(
      new RegExp(
        String.raw`(${STR})\s*(?:\|\s*replace|\.\s*replace)\s*\(\s*(${STR})\s*,\s*(${STR})\s*\)`,
        'g',
      ),
      (_m, lit: string, from: string, to: string) =>
        `'${unquote(from) === '' ? unquote(lit) : unquote(lit).split(unquote(from)).join(unquote(to))}'`,
    );
    // 'a' ~ 'b', 'a' + 'b', 'a' 'b' (last: it would eat the '' of ''.join)
    s = s.replace(/(['"])\s*(?:[~+]\s*)?(['"])/g, '');
    if (s === before) break;
  }
  return s;
}

/** Printable decodings of base64-looking literals in the code. */
export function decodeBase64Literals(code: string): string[] {
  const out: string[] = [];
  const re = /['"]([A-Za-z0-9+/]{12,}={0,2})['"]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null && out.length < 64) {
    const text = Buffer.from(m[1]!, 'base64').toString('latin1');
    let printable = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x09) printable++;
    }
    if (text.length >= 8 && printable / text.length > 0.9) out.push(text);
  }
  return out;
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isAccessor = (c: number): boolean =>
  c === 0x2e || c === 0x7c || c === 0x28 || c === 0x29 || c === 0x5b || c === 0x5d;

/**
 * Removes whitespace around `.`, `|`, brackets and parentheses in one linear pass (a regex with
 * optional whitespace on both sides of the accessor backtracks quadratically on long runs).
 */
export function collapseAccessorSpace(s: string): string {
  const parts: string[] = [];
  let keptFrom = 0;
  let i = 0;
  while (i < s.length) {
    if (!isSpace(s.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if ((i > 0 && isAccessor(s.charCodeAt(i - 1))) || (j < s.length && isAccessor(s.charCodeAt(j)))) {
      parts.push(s.slice(keptFrom, i));
      keptFrom = j;
    }
    i = j;
  }
  parts.push(s.slice(keptFrom));
  return parts.join('');
}

/** The full normalisation: code extraction, de-obfuscation, base64 expansion, lower-casing. */
export function normalizeTemplate(template: string): string {
  const code = decodeEscapes(extractCode(template));
  const joined = joinStrings(code);
  const decoded = decodeBase64Literals(joined);
  const all = decoded.length ? `${joined}\n${decoded.join('\n')}` : joined;
  return collapseAccessorSpace(all.toLowerCase());
}

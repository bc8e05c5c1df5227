import { formatError } from '../../errors.js';

/** A Python literal as .npy headers use them (what ast.literal_eval would accept, minus floats). */
export type PyLiteral =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'list' | 'tuple'; items: PyLiteral[] }
  | { kind: 'dict'; entries: Array<[PyLiteral, PyLiteral]> };

const MAX_DEPTH = 32;
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Recursive-descent parser over a bounded string; every error is FORMAT_INVALID. */
class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  private fail(what: string): never {
    throw formatError(`npy header: ${what} at offset ${this.pos}`);
  }

  private ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  private peek(): string {
    this.ws();
    return this.text[this.pos] ?? '';
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  parseAll(): PyLiteral {
    const v = this.value(0);
    if (this.peek() !== '') this.fail('unexpected text after the literal');
    return v;
  }

  private value(depth: number): PyLiteral {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const c = this.peek();
    if (c === '{') return this.dict(depth);
    if (c === '[') return { kind: 'list', items: this.seq(']', depth) };
    if (c === '(') return this.tuple(depth);
    if (c === "'" || c === '"') return { kind: 'str', value: this.str() };
    if (/[ubrUBR]/.test(c) && /['"]/.test(this.text[this.pos + 1] ?? '')) {
      this.pos++;
      return { kind: 'str', value: this.str(c === 'r' || c === 'R') };
    }
    if (/[-+0-9]/.test(c)) return this.int();
    for (const [word, lit] of [
      ['True', { kind: 'bool', value: true }],
      ['False', { kind: 'bool', value: false }],
      ['None', { kind: 'none' }],
    ] as const)
      if (this.text.startsWith(word, this.pos) && !/\w/.test(this.text[this.pos + word.length] ?? '')) {
        this.pos += word.length;
        return lit;
      }
    return this.fail('unexpected character');
  }

  private seq(close: string, depth: number): PyLiteral[] {
    this.pos++;
    const items: PyLiteral[] = [];
    while (this.peek() !== close) {
      items.push(this.value(depth + 1));
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.pos++;
    return items;
  }

  private tuple(depth: number): PyLiteral {
    return { kind: 'tuple', items: this.seq(')', depth) };
  }

  private dict(depth: number): PyLiteral {
    this.pos++;
    const entries: Array<[PyLiteral, PyLiteral]> = [];
    while (this.peek() !== '}') {
      const k = this.value(depth + 1);
      this.expect(':');
      entries.push([k, this.value(depth + 1)]);
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') this.fail("expected ',' or '}'");
    }
    this.pos++;
    return { kind: 'dict', entries };
  }

  private str(raw = false): string {
    const q = this.text[this.pos++] ?? '';
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === q) return out;
      if (c !== '\\' || raw) {
        out += c;
        continue;
      }
      const e = this.text[this.pos++] ?? '';
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : 0;
      if (hex) {
        const digits = this.text.slice(this.pos, this.pos + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) this.fail('bad escape');
        out += String.fromCharCode(parseInt(digits, 16));
        this.pos += hex;
      } else out += ESCAPES[e] ?? `\\${e}`;
    }
  }

  private int(): PyLiteral {
    const m = /^[-+]?\d{1,40}[lL]?/.exec(this.text.slice(this.pos, this.pos + 42));
    if (!m) return this.fail('bad number');
    this.pos += m[0].length;
    if (/[.eEjJ\d]/.test(this.text[this.pos] ?? '')) this.fail('only integers are allowed');
    return { kind: 'int', value: BigInt(m[0].replace(/[lL]$/, '').replace(/^\+/, '')) };
  }
}

/** Parses a Python literal (dict/list/tuple/str/int/bool/None) without evaluating anything. */
export function parsePyLiteral(text: string): PyLiteral {
  return new LiteralParser(text).parseAll();
}

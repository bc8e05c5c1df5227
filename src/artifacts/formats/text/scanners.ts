import type { ByteSource } from '../../../core/index.js';
import { formatError, limitExceeded } from '../../errors.js';
import { DEFAULT_LIMITS, type ScanContext, type Scanner } from '../../scan/types.js';
import { checkKerasConfig, looksLikeKerasConfig } from '../keras/config.js';
import { ConfigSignals } from './config-rules.js';
import { hasJinjaSyntax, scanTemplate } from './jinja.js';
import { isJsonObject, parseJsonBounded } from './json.js';
import { decodeUtf8, looksLikeText } from './shared.js';

/**
 * The two text scanners.
 * - json: tokenizer configs (chat templates), Keras `config.json`, model configs and manifests,
 *   also JSON Lines. Runs the Jinja SSTI rules on chat templates and on any string holding Jinja
 *   syntax, the Keras rules on Keras configs, and weak config heuristics.
 * - template: plain-text Jinja templates (.j2, .jinja, .template) and text configs embedding
 *   them (YAML with a chat_template). Only text whose first 4 KiB show Jinja delimiters is
 *   claimed; other text stays undetected, so the engine reports it as skipped.
 */

export const JSON_MAX_DEPTH = 256;
const MAX_NODES = 5_000_000;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const VALUE_START = new Set([...'{["-0123456789tfn]'].map((c) => c.charCodeAt(0)));

function nextNonWs(head: Buffer, from: number): number {
  let i = from;
  while (i < head.length && WS.has(head[i]!)) i++;
  return i;
}

export function detectJson(head: Buffer, size: number): boolean {
  if (size < 2 || size > DEFAULT_LIMITS.maxTextBytes) return false;
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  i = nextNonWs(head, i);
  const first = head[i];
  if (first !== 0x7b && first !== 0x5b) return false;
  const j = nextNonWs(head, i + 1);
  if (j < head.length) {
    const c = head[j]!;
    if (first === 0x7b && c !== 0x22 && c !== 0x7d) return false;
    if (first === 0x5b && !VALUE_START.has(c)) return false;
  }
  return looksLikeText(head, head.length >= size);
}

function parseDocuments(buf: Buffer): unknown[] {
  const what = 'JSON document';
  try {
    return [parseJsonBounded(buf, { maxDepth: JSON_MAX_DEPTH, what }).value];
  } catch (e) {
    // JSON Lines: every non-empty line a document
    const lines = buf.toString('utf8').split('\n');
    const nonEmpty = lines.filter((l) => l.trim() !== '');
    if (nonEmpty.length < 2) throw e;
    const docs: unknown[] = [];
    for (const line of nonEmpty) {
      try {
        docs.push(parseJsonBounded(Buffer.from(line, 'utf8'), { maxDepth: JSON_MAX_DEPTH, what }).value);
      } catch {
        throw e;
      }
    }
    return docs;
  }
}

// chat_template, custom_chat_template, template (in a list of {name, template}), jinja_template…
const TEMPLATE_KEY = /template|jinja/i;

/**
 * Walks JSON values, sending templates to the Jinja rules and strings to the config heuristics.
 * Strings under template-named keys are templates anywhere; other strings with Jinja syntax only
 * as top-level fields (`topLevelTemplates`), so data sets quoting template code are not flagged.
 */
export function scanJsonValue(
  ctx: ScanContext,
  root: unknown,
  detector: string,
  topLevelTemplates = true,
): void {
  const signals = new ConfigSignals();
  // [value, nearest key, parent path, index in an array or -1, depth]; paths are built lazily
  const stack: Array<[unknown, string, string, number, number]> = [[root, '', '', -1, 0]];
  const pathOf = (key: string, parent: string, index: number, depth: number): string =>
    depth === 0
      ? '$'
      : index >= 0
        ? `${parent}[${index}]`
        : `${parent}.${key.length > 40 ? `${key.slice(0, 40)}…` : key}`;
  let visited = 0;
  while (stack.length > 0) {
    if (++visited > MAX_NODES) break;
    if ((visited & 0xffff) === 0) ctx.checkDeadline();
    const [v, key, parent, index, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const path = (): string => pathOf(key, parent, index, depth);
      if (TEMPLATE_KEY.test(key) || (topLevelTemplates && depth === 1 && hasJinjaSyntax(v)))
        scanTemplate(ctx, v, { where: `template at ${path()}`, detector });
      signals.inspect(key, v, path);
    } else if (typeof v === 'object' && v !== null) {
      const here = pathOf(key, parent, index, depth);
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) {
          const c: unknown = v[i];
          if (typeof c === 'string' || (typeof c === 'object' && c !== null))
            stack.push([c, key, here, i, depth + 1]);
        }
      } else {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          const c = o[k];
          if (typeof c === 'string' || (typeof c === 'object' && c !== null))
            stack.push([c, k, here, -1, depth + 1]);
        }
      }
    }
  }
  signals.emit(ctx, detector);
  if (looksLikeKerasConfig(root)) checkKerasConfig(ctx, root, { where: 'Keras model config' });
  else if (isJsonObject(root) && looksLikeKerasConfig(root['model_config']))
    checkKerasConfig(ctx, root['model_config'], { where: 'Keras model_config' });
}

export const jsonScanner: Scanner = {
  format: 'json',
  detect: detectJson,
  scan(src: ByteSource, ctx: ScanContext): void {
    if (src.size > ctx.limits.maxTextBytes)
      throw limitExceeded(
        `JSON document is ${src.size} bytes, over the text limit of ${ctx.limits.maxTextBytes}`,
      );
    const buf = src.read(0, src.size);
    const docs = parseDocuments(buf);
    ctx.metric('json_documents', docs.length);
    // JSON Lines are data sets: there only template-named keys hold templates
    for (const doc of docs) scanJsonValue(ctx, doc, 'json', docs.length === 1);
  },
};

export function detectTemplate(head: Buffer, size: number): boolean {
  if (size < 2 || size > DEFAULT_LIMITS.maxTextBytes) return false;
  if (!looksLikeText(head, head.length >= size)) return false;
  const text = head.toString('utf8');
  return hasJinjaSyntax(text);
}

export const templateScanner: Scanner = {
  format: 'template',
  detect: detectTemplate,
  scan(src: ByteSource, ctx: ScanContext): void {
    if (src.size > ctx.limits.maxTextBytes)
      throw limitExceeded(`template is ${src.size} bytes, over the text limit of ${ctx.limits.maxTextBytes}`);
    const buf = src.read(0, src.size);
    if (buf.includes(0)) throw formatError('template contains NUL bytes: not a text file');
    let text = decodeUtf8(buf);
    if (text === null) throw formatError('template is not valid UTF-8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    scanTemplate(ctx, text, { where: 'template text', detector: 'jinja' });
  },
};

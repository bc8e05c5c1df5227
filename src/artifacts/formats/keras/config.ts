import { REFS, type Severity } from '../../../core/index.js';
import type { ScanContext } from '../../scan/types.js';
import { isJsonObject } from '../text/json.js';
import { CappedEmitter, clip } from '../text/shared.js';

/**
 * Checks of a Keras model config (the `config.json` of a `.keras` archive, the `model_config`
 * attribute of a legacy `.h5`). Deserialising a config runs code in three ways this flags:
 * a Lambda layer (its function is marshalled Python bytecode or source, run at load or call
 * time), objects whose `module` is outside Keras (imported by name), and custom registered
 * objects (resolved from user code that must be trusted).
 */

const KERAS_MODULE = /^(?:keras|tf_keras|keras_hub|keras_nlp|keras_cv|keras_rs|tensorflow)(?:\.|$)/;
const KERAS_PACKAGES = new Set(['keras', 'keras_hub', 'keras_nlp', 'keras_cv', 'keras_rs', 'tf_keras']);
const DANGEROUS_MODULE =
  /^(?:os|posix|nt|subprocess|sys|importlib|runpy|shutil|socket|pickle|marshal|code|codeop|pty|ctypes|webbrowser|requests|urllib|http|builtins|__builtin__|io|pathlib|tempfile|multiprocessing|asyncio\.subprocess)(?:\.|$)/;
const DANGEROUS_NAMES =
  /\b(?:os|subprocess|system|popen|eval|exec|__import__|builtins|__builtins__|socket|urllib|requests|compile|getattr|pickle|marshal|shutil|pty|spawn|execve|open|urlopen|check_output|importlib)\b/;
const BASE64 = /^[A-Za-z0-9+/\r\n]{16,}={0,2}$/;

const MAX_NODES = 2_000_000;

/** Where a config came from and which detector name its findings carry. */
export interface KerasOrigin {
  where: string;
  detector?: string;
}

/** True for a value shaped like a serialised Keras object: {class_name, config}. */
export function looksLikeKerasConfig(v: unknown): boolean {
  return isJsonObject(v) && typeof v['class_name'] === 'string' && 'config' in v;
}

function collectStrings(v: unknown, out: string[], budget = { n: 1000 }): void {
  if (budget.n-- <= 0) return;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out, budget);
  else if (isJsonObject(v)) for (const x of Object.values(v)) collectStrings(x, out, budget);
}

/** Looks into a Lambda's function (source text, base64 marshal code) for dangerous names. */
export function inspectLambdaFunction(fn: unknown): {
  names: string[];
  bytecode: boolean;
  source: string | null;
} {
  const strings: string[] = [];
  collectStrings(fn, strings);
  const names = new Set<string>();
  let bytecode = false;
  let source: string | null = null;
  for (const s of strings.slice(0, 200)) {
    const texts = [s];
    if (s.length >= 16 && BASE64.test(s.trim())) {
      const raw = Buffer.from(s.trim().slice(0, 16 * 1024 * 1024), 'base64');
      // marshal TYPE_CODE ('c'), possibly with FLAG_REF (0x80)
      if (raw[0] === 0xe3 || raw[0] === 0x63) bytecode = true;
      texts.push(raw.toString('latin1'));
    } else if (/\blambda\b|\bdef\b|\breturn\b/.test(s)) {
      source ??= s;
    }
    for (const t of texts) {
      const re = new RegExp(DANGEROUS_NAMES.source, 'g');
      let m: RegExpExecArray | null;
      while ((m = re.exec(t.slice(0, 1 << 20))) !== null && names.size < 20) names.add(m[0]);
    }
  }
  return { names: [...names], bytecode, source };
}

function layerName(obj: Record<string, unknown>): string {
  const cfg = obj['config'];
  const name = isJsonObject(cfg) ? cfg['name'] : undefined;
  return typeof name === 'string' ? name : '?';
}

/** Walks a parsed config and emits keras.* findings. Returns the number of findings emitted. */
export function checkKerasConfig(ctx: Pick<ScanContext, 'emit'>, root: unknown, origin: KerasOrigin): number {
  const out = new CappedEmitter(ctx);
  const detector = origin.detector ?? 'keras';
  let count = 0;
  const emit = (id: string, severity: Severity, title: string, detail: string): void => {
    count++;
    out.emit({ id, detector, severity, title, detail: `${origin.where}: ${detail}`, refs: REFS.supplyChain });
  };
  const stack: unknown[] = [root];
  let visited = 0;
  while (stack.length > 0 && visited++ < MAX_NODES) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    if (!isJsonObject(v)) continue;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push(child);
    const cls = v['class_name'];
    if (typeof cls !== 'string') continue;
    const mod = v['module'];
    const reg = v['registered_name'];
    if (cls === 'Lambda' || cls.endsWith('.Lambda')) {
      const cfg = v['config'];
      const fn = isJsonObject(cfg) ? cfg['function'] : undefined;
      const info = inspectLambdaFunction(fn);
      const bad = info.names.length > 0;
      emit(
        'keras.lambda-layer',
        bad ? 'critical' : 'high',
        bad
          ? 'Keras Lambda layer with code calling dangerous functions'
          : 'Keras Lambda layer (embedded Python code)',
        `layer '${layerName(v)}' is a Lambda: its function is ${
          info.bytecode
            ? 'marshalled Python bytecode'
            : info.source
              ? `Python source (${clip(info.source, 80)})`
              : 'Python code'
        } that runs when the model is loaded or called${bad ? `; it references ${info.names.join(', ')}` : ''}.`,
      );
      continue;
    }
    if (typeof mod === 'string' && mod !== '' && !KERAS_MODULE.test(mod)) {
      const cfg = v['config'];
      if (DANGEROUS_MODULE.test(mod)) {
        emit(
          'keras.dangerous-module',
          'critical',
          'Keras config imports a dangerous module',
          `object '${cls}' is loaded from module '${clip(mod, 80)}'${
            typeof cfg === 'string' ? ` (${clip(cfg, 60)})` : ''
          }: deserialising it imports and calls into that module.`,
        );
      } else {
        emit(
          'keras.custom-module',
          'medium',
          'Keras config references code outside Keras',
          `object '${cls}' comes from module '${clip(mod, 80)}', which is imported by name at load time; that code must be trusted.`,
        );
      }
      continue;
    }
    if (typeof reg === 'string' && reg.includes('>')) {
      const pkg = reg.slice(0, reg.indexOf('>'));
      if (!KERAS_PACKAGES.has(pkg))
        emit(
          'keras.custom-object',
          'medium',
          'Keras config uses a custom registered object',
          `object '${cls}' is registered as '${clip(reg, 80)}': loading needs that package's code, which runs on deserialisation.`,
        );
    }
  }
  out.flush();
  return count;
}

import { REFS, atLeast, type Severity } from '../../../core/index.js';
import type { ScanContext } from '../../scan/types.js';
import { hasJinjaSyntax, scanTemplate } from '../text/jinja.js';
import { CappedEmitter, clip } from '../text/shared.js';

/**
 * Safetensors `__metadata__` is free text that the format never executes, so code-looking
 * strings there are a warning, not a verdict: `medium` for Python/shell code (a downstream script
 * might eval or shell out with it), `low` for HTML/script markup (a model hub page might render
 * it). Neither blocks at the default fail-on level. Template-named keys with Jinja syntax go
 * through the chat-template SSTI rules, because some tools read chat templates from this metadata.
 */

/** A kind of code-looking text in a metadata string. */
interface MetadataPattern {
  kind: string;
  severity: Severity;
  pattern: RegExp;
}

const PATTERNS: readonly MetadataPattern[] = [
  {
    kind: 'Python code',
    severity: 'medium',
    pattern:
      /\bimport\s+[a-z_][\w.]*|__import__|\bos\.(?:system|popen|exec\w*)|\bsubprocess\b|\beval\s*\(|\bexec\s*\(|\bpickle\.loads?\b|\bcompile\s*\(|\b__builtins__\b/i,
  },
  {
    kind: 'shell command',
    severity: 'medium',
    pattern:
      /\brm\s+-[rf]{1,2}\b|\bcurl\s[^|\n]{0,200}\|\s*(?:ba|z)?sh\b|\bwget\s+https?:|\/bin\/(?:ba|z)?sh\b|\bbash\s+-c\b|\bnc\s+-[a-z]*e\b/i,
  },
  {
    kind: 'HTML/script markup',
    severity: 'low',
    pattern: /<script\b|javascript:|\bon(?:error|load|click|mouseover)\s*=|<iframe\b|<object\b|<embed\b/i,
  },
];

/** Emits safetensors.suspicious-metadata findings (and Jinja findings) for metadata strings. */
export function checkMetadataStrings(ctx: ScanContext, entries: Array<[string, string]>): void {
  const out = new CappedEmitter(ctx);
  for (const [key, value] of entries) {
    const text = value.length > 1 << 20 ? value.slice(0, 1 << 20) : value;
    if (/template/i.test(key) && hasJinjaSyntax(text)) {
      const a = scanTemplate(ctx, text, {
        where: `__metadata__['${clip(key, 60)}']`,
        detector: 'safetensors',
      });
      if (a.worst !== null) continue;
    }
    const kinds: string[] = [];
    let worst: Severity | null = null;
    for (const p of PATTERNS) {
      if (p.pattern.test(key) || p.pattern.test(text)) {
        kinds.push(p.kind);
        if (worst === null || atLeast(p.severity, worst)) worst = p.severity;
      }
    }
    if (worst === null) continue;
    out.emit({
      id: 'safetensors.suspicious-metadata',
      detector: 'safetensors',
      severity: worst,
      title: 'Code-like text in safetensors metadata',
      detail: `__metadata__['${clip(key, 60)}'] contains ${kinds.join(' and ')}: ${clip(text, 120)}. Safetensors never executes metadata; this matters only if other tooling evaluates or renders it.`,
      refs: REFS.supplyChain,
    });
  }
  out.flush();
}

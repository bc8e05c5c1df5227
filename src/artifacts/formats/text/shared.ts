import type { FindingInput, ScanContext } from '../../scan/types.js';

/**
 * Small helpers shared by the structured-format scanners (safetensors, GGUF, Keras, ONNX,
 * SavedModel, JSON, templates).
 */

/** Emits findings with a cap per finding id, so one hostile file cannot flood the report. */
export class CappedEmitter {
  private readonly counts = new Map<string, number>();
  private readonly samples = new Map<string, FindingInput>();

  constructor(
    private readonly ctx: Pick<ScanContext, 'emit'>,
    private readonly perId = 20,
  ) {}

  emit(f: FindingInput): void {
    const n = (this.counts.get(f.id) ?? 0) + 1;
    this.counts.set(f.id, n);
    if (n <= this.perId) this.ctx.emit(f);
    else if (!this.samples.has(f.id)) this.samples.set(f.id, f);
  }

  /** Emits one summary per id that went over the cap. */
  flush(): void {
    for (const [id, sample] of this.samples) {
      const extra = (this.counts.get(id) ?? 0) - this.perId;
      this.ctx.emit({
        ...sample,
        title: `${sample.title} (${extra} more)`,
        detail: `${extra} further occurrences of ${id} were not listed individually. Last shown kind: ${sample.detail}`,
      });
    }
    this.samples.clear();
  }
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Decodes strict UTF-8, or null when the bytes are not valid UTF-8. */
export function decodeUtf8(buf: Uint8Array): string | null {
  try {
    return utf8Fatal.decode(buf);
  } catch {
    return null;
  }
}

/**
 * True when a head of a file looks like text: no NUL byte, and valid UTF-8 except possibly a
 * multi-byte sequence cut by the end of the head.
 */
export function looksLikeText(head: Uint8Array, complete: boolean): boolean {
  if (head.includes(0)) return false;
  if (decodeUtf8(head) !== null) return true;
  if (complete) return false;
  for (let cut = 1; cut <= 3 && cut < head.length; cut++) {
    if (decodeUtf8(head.subarray(0, head.length - cut)) !== null) return true;
  }
  return false;
}

/** Shortens a string for a finding's detail. */
export function clip(s: string, max = 160): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

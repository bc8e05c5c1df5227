/**
 * Reversible pseudonymization: each distinct sensitive value gets a stable placeholder such as
 * `[EMAIL_ADDRESS_1]`; `restore` puts the originals back into a model's answer. One vault per conversation.
 */
export class Vault {
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  get size(): number {
    return this.byPlaceholder.size;
  }

  placeholder(type: string, value: string): string {
    const key = `${type}\u0000${value}`;
    const known = this.byValue.get(key);
    if (known) return known;
    const label = type.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    if (this.byPlaceholder.size >= this.maxEntries) return `[REDACTED_${label}]`;
    const n = (this.counters.get(label) ?? 0) + 1;
    this.counters.set(label, n);
    const ph = `[${label}_${n}]`;
    this.byValue.set(key, ph);
    this.byPlaceholder.set(ph, value);
    return ph;
  }

  /** Replaces every known placeholder in `text` with its original value. */
  restore(text: string): string {
    if (this.byPlaceholder.size === 0 || !text.includes('[')) return text;
    return text.replace(/\[[A-Z0-9_]{1,64}_\d{1,6}\]/g, (ph) => this.byPlaceholder.get(ph) ?? ph);
  }

  /** A restorer for streamed text: holds back a trailing partial placeholder until it is complete. */
  restorer(): { push(chunk: string): string; flush(): string } {
    let pending = '';
    return {
      push: (chunk: string): string => {
        pending += chunk;
        const open = pending.lastIndexOf('[');
        // a placeholder is at most 1 + 64 + 1 + 6 + 1 characters long
        const hold = open >= 0 && !pending.includes(']', open) && pending.length - open <= 73;
        const cut = hold ? open : pending.length;
        const out = this.restore(pending.slice(0, cut));
        pending = pending.slice(cut);
        return out;
      },
      flush: (): string => {
        const out = this.restore(pending);
        pending = '';
        return out;
      },
    };
  }
}

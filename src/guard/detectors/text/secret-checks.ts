/** Validators that turn a shaped match into a confident one: checksums, structure, entropy. */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) of an ASCII string. */
export function crc32(ascii: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < ascii.length; i++)
    crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ ascii.charCodeAt(i)) & 0xff] ?? 0);
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of `n`, left-padded with '0' to `width` (the check-digit encoding of GitHub and npm tokens). */
export function base62(n: number, width: number): string {
  let s = '';
  do {
    s = BASE62[n % 62] + s;
    n = Math.floor(n / 62);
  } while (n > 0);
  return s.padStart(width, '0');
}

/**
 * GitHub (ghp_/gho_/ghu_/ghs_/ghr_) and npm (npm_) tokens end in six base62 characters that encode the
 * CRC-32 of the 30 random characters before them; a match is near-certainly a real token.
 */
export function prefixedTokenChecksumOk(token: string): boolean {
  const body = token.slice(token.indexOf('_') + 1);
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}

/** Whether the first segment of a JWT decodes to a JSON object with an `alg` member. */
export function jwtHeaderOk(token: string): boolean {
  const head = token.slice(0, token.indexOf('.'));
  if (head.length > 2048) return false;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    return (
      typeof parsed === 'object' && parsed !== null && typeof (parsed as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}

const counts = new Uint32Array(128);

/** Shannon entropy in bits per character over the ASCII characters of `s`. */
export function shannonEntropy(s: string): number {
  counts.fill(0);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      counts[c] = (counts[c] ?? 0) + 1;
      n++;
    }
  }
  let h = 0;
  for (let c = 0; c < 128; c++) {
    const k = counts[c] ?? 0;
    if (k > 0) {
      const p = k / n;
      h -= p * Math.log2(p);
    }
  }
  return h;
}

/** Upper, lower and digit classes present in `s` (0-3): random keys mix them, words and hashes do not. */
export function charClasses(s: string): number {
  return (/[A-Z]/.test(s) ? 1 : 0) + (/[a-z]/.test(s) ? 1 : 0) + (/[0-9]/.test(s) ? 1 : 0);
}

const PLACEHOLDER =
  /^(?:[x*•.#_-]+|<[^>]*>|\$\{?[\w.]+\}?|\{\{[^}]*\}\}|%[\w]+%|(?:your|my|the|some|example|sample|dummy|fake|test|changeme|redacted|placeholder|secret|password|passw0rd|pass|token|api[_-]?key|null|none|undefined|true|false)\b.*)$/i;
const CODE_REFERENCE =
  /^(?:process\.env|os\.environ|env\[|getenv|config\.|settings\.|self\.|this\.|args\.|params\.)/i;

/** Values that are obviously not real credentials: templates, masks, variable references, examples. */
export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER.test(value) || CODE_REFERENCE.test(value)) return true;
  return /^(.)\1+$/.test(value);
}

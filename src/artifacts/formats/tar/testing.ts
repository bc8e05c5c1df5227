/** One entry of a hand-built tar (tests and demo samples). */
export interface TarEntrySpec {
  name: string;
  data?: Uint8Array | string;
  /** Type flag: '0' regular (default), '5' directory, '2' symlink, '1' hard link, ... */
  type?: string;
  linkName?: string;
  /** Writes the name through a pax 'path' record (for names over 100 bytes or non-ASCII). */
  paxPath?: boolean;
  /** Writes the name through a GNU 'L' long-name entry. */
  gnuLongName?: boolean;
  /** Writes the size field in GNU base-256 instead of octal. */
  base256Size?: boolean;
  /** Overrides the size field (e.g. larger than the data, for truncation tests). */
  declaredSize?: number;
  /** Writes a wrong header checksum. */
  badChecksum?: boolean;
}

/** Archive-level options of buildTar. */
export interface BuildTarOptions {
  /** 'ustar' (POSIX, default), 'gnu' ('ustar  ' magic) or 'v7' (no magic). */
  flavor?: 'ustar' | 'gnu' | 'v7';
  /** Leaves out the two zero blocks at the end. */
  noEndBlocks?: boolean;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(
  name: string,
  size: number,
  type: string,
  link: string,
  flavor: string,
  spec: Partial<TarEntrySpec>,
): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(octal(0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  if (spec.base256Size) {
    h[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      h[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(link.slice(0, 100), 157, 'utf8');
  if (flavor === 'ustar') h.write('ustar\x0000', 257, 'latin1');
  if (flavor === 'gnu') h.write('ustar  \0', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const c of h) sum += c;
  if (spec.badChecksum) sum += 1;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((BLOCK - (b.length % BLOCK)) % BLOCK)]);

/** Builds a tar archive in memory. */
export function buildTar(entries: TarEntrySpec[], opts: BuildTarOptions = {}): Buffer {
  const flavor = opts.flavor ?? 'ustar';
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    if (e.paxPath) {
      const rec = (len: number): string => `${len} path=${e.name}\n`;
      let len = rec(0).length;
      while (rec(len).length !== len) len = rec(len).length;
      const body = Buffer.from(rec(len));
      parts.push(header('PaxHeader', body.length, 'x', '', flavor, {}), pad(body));
    }
    if (e.gnuLongName) {
      const body = Buffer.from(`${e.name}\0`);
      parts.push(header('././@LongLink', body.length, 'L', '', flavor, {}), pad(body));
    }
    const size = e.declaredSize ?? data.length;
    parts.push(header(e.name, size, e.type ?? '0', e.linkName ?? '', flavor, e), pad(data));
  }
  if (!opts.noEndBlocks) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

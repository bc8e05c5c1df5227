import { deflateRawSync } from 'node:zlib';

/** One member of a hand-built zip (tests and demo samples). */
export interface ZipMemberSpec {
  name: string;
  data: Uint8Array | string;
  /** 0 stored (default), 8 deflate (compressed here); any other id is written with `data` as given. */
  method?: number;
  /** Extra general-purpose flag bits OR-ed into both headers (e.g. 0x20, 0x40). */
  flags?: number;
  /** Sets flag bit 0 (traditional encryption); the data is written as given. */
  encrypted?: boolean;
  /** Name written in the local header when it should differ from the central one. */
  localName?: string;
  /** Writes a wrong CRC-32 in every header. */
  badCrc?: boolean;
  /** Flag bit 3: CRC and sizes zero in the local header, a data descriptor after the data. */
  dataDescriptor?: boolean;
  /** With dataDescriptor: write the optional descriptor signature (default true). */
  descriptorSignature?: boolean;
  /** Leaves the member out of the central directory (only its local header shows it). */
  omitFromCentral?: boolean;
  /** Values written into the ZIP64 extra fields instead of the real sizes (with `zip64`). */
  zip64Sizes?: { comp?: bigint; uncomp?: bigint };
  /** Uncompressed size to record when `data` is given already compressed (methods other than 0 and 8). */
  uncompressedSize?: number;
  /** Unix mode for the external attributes (default 0o100644; 0o120777 makes a symlink). */
  unixMode?: number;
}

/** Whole-archive options of buildZip. */
export interface BuildZipOptions {
  /** Writes 0xFFFFFFFF sizes/offsets with ZIP64 extra fields, and the ZIP64 end records. */
  zip64?: boolean;
  /** Omits central directory and end records (a local-headers-only archive). */
  noCentralDirectory?: boolean;
  /** Bytes before the archive; recorded offsets stay relative to the archive (self-extractor style). */
  prefix?: Uint8Array;
  comment?: string;
  /** Indexes of members whose central entry is written twice. */
  duplicateCentral?: number[];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE) of `data`. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function le(n: number, bytes: 2 | 4): Buffer {
  const b = Buffer.alloc(bytes);
  if (bytes === 2) b.writeUInt16LE(n & 0xffff);
  else b.writeUInt32LE(n >>> 0);
  return b;
}

function le64(n: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** Builds a zip archive in memory, with knobs for the malformations scanners must survive. */
export function buildZip(members: ZipMemberSpec[], opts: BuildZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer): void => {
    parts.push(b);
    offset += b.length;
  };
  members.forEach((m, i) => {
    const raw = typeof m.data === 'string' ? Buffer.from(m.data) : Buffer.from(m.data);
    const method = m.method ?? 0;
    const body = method === 8 ? deflateRawSync(raw) : raw;
    const crc = m.badCrc ? (crc32(raw) ^ 0xdeadbeef) >>> 0 : crc32(raw);
    const flags = (m.flags ?? 0) | (m.encrypted ? 1 : 0) | (m.dataDescriptor ? 8 : 0) | 0x800;
    const z64 = opts.zip64 === true;
    const comp = m.zip64Sizes?.comp ?? BigInt(body.length);
    const rawLength = m.uncompressedSize ?? raw.length;
    const uncomp = m.zip64Sizes?.uncomp ?? BigInt(rawLength);
    const localName = Buffer.from(m.localName ?? m.name);
    const name = Buffer.from(m.name);
    const localExtra = z64 ? Buffer.concat([le(1, 2), le(16, 2), le64(uncomp), le64(comp)]) : Buffer.alloc(0);
    const dd = m.dataDescriptor === true;
    const headerOffset = offset;
    push(
      Buffer.concat([
        le(0x04034b50, 4),
        le(z64 ? 45 : 20, 2),
        le(flags, 2),
        le(method, 2),
        le(0, 4), // time, date
        le(dd ? 0 : crc, 4),
        le(dd ? 0 : z64 ? 0xffffffff : body.length, 4),
        le(dd ? 0 : z64 ? 0xffffffff : rawLength, 4),
        le(localName.length, 2),
        le(localExtra.length, 2),
        localName,
        localExtra,
        body,
      ]),
    );
    if (dd) {
      const sizes = z64
        ? Buffer.concat([le64(body.length), le64(rawLength)])
        : Buffer.concat([le(body.length, 4), le(rawLength, 4)]);
      push(
        Buffer.concat([
          m.descriptorSignature === false ? Buffer.alloc(0) : le(0x08074b50, 4),
          le(crc, 4),
          sizes,
        ]),
      );
    }
    if (m.omitFromCentral) return;
    const cExtra = z64
      ? Buffer.concat([le(1, 2), le(24, 2), le64(uncomp), le64(comp), le64(headerOffset)])
      : Buffer.alloc(0);
    const entry = Buffer.concat([
      le(0x02014b50, 4),
      le(0x0300 | (z64 ? 45 : 20), 2),
      le(z64 ? 45 : 20, 2),
      le(flags, 2),
      le(method, 2),
      le(0, 4),
      le(crc, 4),
      le(z64 ? 0xffffffff : body.length, 4),
      le(z64 ? 0xffffffff : rawLength, 4),
      le(name.length, 2),
      le(cExtra.length, 2),
      le(0, 2), // comment length
      le(0, 2), // disk
      le(0, 2), // internal attributes
      le((m.unixMode ?? 0o100644) * 0x10000, 4),
      le(z64 ? 0xffffffff : headerOffset, 4),
      name,
      cExtra,
    ]);
    central.push(entry);
    if (opts.duplicateCentral?.includes(i)) central.push(entry);
  });
  if (!opts.noCentralDirectory) {
    const cdStart = offset;
    for (const c of central) push(c);
    const cdSize = offset - cdStart;
    if (opts.zip64) {
      const recStart = offset;
      push(Buffer.concat([le(0x06064b50, 4), le64(44), le(45, 2), le(45, 2), le(0, 4), le(0, 4)]));
      push(Buffer.concat([le64(central.length), le64(central.length), le64(cdSize), le64(cdStart)]));
      push(Buffer.concat([le(0x07064b50, 4), le(0, 4), le64(recStart), le(1, 4)]));
    }
    const comment = Buffer.from(opts.comment ?? '');
    const n = opts.zip64 ? 0xffff : central.length;
    push(
      Buffer.concat([
        le(0x06054b50, 4),
        le(0, 2),
        le(0, 2),
        le(n, 2),
        le(n, 2),
        le(opts.zip64 ? 0xffffffff : cdSize, 4),
        le(opts.zip64 ? 0xffffffff : cdStart, 4),
        le(comment.length, 2),
        comment,
      ]),
    );
  }
  return Buffer.concat([Buffer.from(opts.prefix ?? new Uint8Array(0)), ...parts]);
}

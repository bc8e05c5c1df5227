import { SeqReader, type ByteSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import { bunzipInto } from '../compressed/bzip2.js';
import { lzmaDecode } from '../compressed/lzma.js';
import { OutputCapReached, Spool } from '../compressed/spool.js';
import { InflatingSource, type BombKind, type InflateBudget } from './inflate.js';
import type { Member } from './members.js';

/** Compression methods this scanner reads (APPNOTE 4.4.5): stored, deflate, bzip2, LZMA. */
export const METHOD_NAMES: Record<number, string> = {
  0: 'stored',
  1: 'shrunk',
  6: 'imploded',
  8: 'deflate',
  9: 'deflate64',
  12: 'bzip2',
  14: 'LZMA',
  19: 'IBM LZ77',
  93: 'zstd',
  95: 'xz',
  96: 'JPEG',
  97: 'WavPack',
  98: 'PPMd',
  99: 'AES-encrypted',
};

/** A member ready to scan, and what went wrong while decoding it. */
export interface OpenedMember {
  source: ByteSource;
  bomb(): BombKind | null;
  corrupt(): string | null;
  inflated(): number;
  close(): void;
}

/** Decodes a bzip2 (12) or LZMA (14) member in full into a spool capped by the archive budget. */
function decodeEager(data: ByteSource, m: Member, budget: InflateBudget, tick: () => void): OpenedMember {
  const spool = new Spool(budget.remaining);
  let bomb: BombKind | null = null;
  let corrupt: string | null = null;
  try {
    if (m.method === 12) bunzipInto(data, spool, tick);
    else {
      // LZMA in zip: u16 version, u16 properties length, properties (5 bytes), raw stream
      const h = data.read(0, 4);
      const propsLen = h.length === 4 ? h.readUInt16LE(2) : 0;
      const p = data.read(4, propsLen);
      if (propsLen < 5 || p.length < 5)
        throw new ArtifactError('FORMAT_INVALID', 'LZMA member header is invalid');
      const reader = new SeqReader(data, 1 << 20, 4 + propsLen);
      const eos = (m.flags & 0x0002) !== 0 || m.uncompSize === null;
      const params = { props: p[0] ?? 0, dictSize: p.readUInt32LE(1), unpackSize: eos ? null : m.uncompSize };
      lzmaDecode(() => reader.u8(), params, spool, tick);
    }
  } catch (e) {
    if (e instanceof OutputCapReached) bomb = 'cap';
    else if (e instanceof ArtifactError && e.code !== 'TIMEOUT' && e.kind !== 'internal') corrupt = e.message;
    else {
      spool.dispose();
      throw e;
    }
  }
  budget.remaining = Math.max(0, budget.remaining - spool.size);
  return {
    source: spool.toSource(),
    bomb: () => bomb,
    corrupt: () => corrupt,
    inflated: () => spool.size,
    close: () => spool.dispose(),
  };
}

/**
 * Opens a member's data: stored members are a zero-copy slice, deflate members inflate lazily,
 * bzip2 and LZMA members (which Python's zipfile also reads) are decoded up front. Null for
 * methods that cannot be decoded here. `end` bounds members of unknown size.
 */
export function openMember(
  src: ByteSource,
  m: Member,
  end: number,
  budget: InflateBudget,
  tick: () => void,
): OpenedMember | null {
  const size = m.compSize ?? Math.max(0, end - m.dataStart);
  const data = src.slice(m.dataStart, m.dataStart + size);
  const none = (): null => null;
  if (m.method === 0)
    return { source: data, bomb: none, corrupt: none, inflated: () => 0, close: () => data.close() };
  if (m.method === 8) {
    const declared = m.uncompSize === 0 && size > 2 ? null : m.uncompSize;
    const inf = new InflatingSource(data, declared, budget, tick);
    return {
      source: inf,
      bomb: () => inf.bomb,
      corrupt: () => inf.corrupt,
      inflated: () => inf.inflated,
      close: () => inf.close(),
    };
  }
  if (m.method === 12 || m.method === 14) return decodeEager(data, m, budget, tick);
  return null;
}

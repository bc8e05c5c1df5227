import type { ByteSource } from '../../../core/index.js';
import {
  FLAG_DESCRIPTOR,
  SIG_CENTRAL,
  SIG_DESCRIPTOR,
  SIG_EOCD,
  SIG_EOCD64,
  SIG_LOCAL,
  SIG_LOCATOR64,
  readLocalHeader,
  sigAt,
  u32At,
  type LocalHeader,
} from './records.js';

const WINDOW = 1 << 20;
const STRUCTURE = new Set([SIG_LOCAL, SIG_CENTRAL, SIG_EOCD, SIG_EOCD64, SIG_LOCATOR64]);
const PK = Buffer.from('PK');

/**
 * Calls `visit(pos, sig)` for every 'PK' followed by a u32 signature in [from, to), reading 1 MiB
 * windows, until visit returns true; returns that position or -1. `tick` runs once per window.
 */
export function scanSignatures(
  src: ByteSource,
  from: number,
  to: number,
  tick: () => void,
  visit: (pos: number, sig: number) => boolean,
): number {
  let base = Math.max(0, from);
  const end = Math.min(to, src.size);
  while (base < end) {
    const buf = src.read(base, Math.min(WINDOW + 3, src.size - base));
    let i = buf.indexOf(PK);
    while (i >= 0 && base + i < end) {
      if (i + 4 > buf.length) break;
      if (visit(base + i, u32At(buf, i))) return base + i;
      i = buf.indexOf(PK, i + 1);
    }
    base += WINDOW;
    tick();
  }
  return -1;
}

/** Compressed size of a member whose headers say "see the data descriptor", found by searching. */
export interface FoundDescriptor {
  compSize: number;
  /** Bytes of the descriptor after the data (12, 16, 20 or 24). */
  length: number;
}

/**
 * Finds the data descriptor that ends a member starting at `dataStart`: a descriptor signature
 * whose compressed-size field equals its distance from the data, or (unsigned descriptors) a record
 * signature preceded by such a triple. Null when none appears before `to`.
 */
export function findDescriptor(
  src: ByteSource,
  dataStart: number,
  to: number,
  tick: () => void,
): FoundDescriptor | null {
  let found: FoundDescriptor | null = null;
  scanSignatures(src, dataStart, to, tick, (pos, sig) => {
    const dist = pos - dataStart;
    if (sig === SIG_DESCRIPTOR) {
      const d = src.read(pos, 24);
      if (u32At(d, 8) === dist) found = { compSize: dist, length: 16 };
      else if (u32At(d, 8) === dist % 2 ** 32 && u32At(d, 12) === Math.floor(dist / 2 ** 32))
        found = { compSize: dist, length: 24 };
    } else if (STRUCTURE.has(sig) && dist >= 12) {
      if (u32At(src.read(pos - 8, 4), 0) === dist - 12) found = { compSize: dist - 12, length: 12 };
    }
    return found !== null;
  });
  return found;
}

/** A member found by walking local headers from the front of the file. */
export interface WalkedMember {
  header: LocalHeader;
  /** Bytes of compressed data; null when unknown (runs to the walk's end). */
  compSize: number | null;
}

/** Result of the local header walk. */
export interface Walk {
  members: WalkedMember[];
  /** Regions between members that had to be searched for the next header. */
  gaps: number;
  overLimit: boolean;
}

/** Position of the next structure record after member data ending at `e` (past any descriptor), or -1. */
function nextRecord(src: ByteSource, e: number): number {
  for (const skip of [0, 16, 24, 12, 20]) if (STRUCTURE.has(sigAt(src, e + skip))) return e + skip;
  return sigAt(src, e) === SIG_DESCRIPTOR ? e + 16 : -1;
}

/**
 * Walks local headers from `start` to `end`. Sizes come from the central directory when it lists
 * the header's offset (`centralSizes`), else from the header, else from a descriptor search; when
 * the expected next position holds no record, the walk searches forward for the next header, so
 * members that only local headers show are found.
 */
export function walkLocalHeaders(
  src: ByteSource,
  start: number,
  end: number,
  centralSizes: Map<number, number>,
  max: number,
  tick: () => void,
): Walk {
  const members: WalkedMember[] = [];
  let gaps = 0;
  let pos = start;
  while (pos >= 0 && pos < end) {
    const sig = sigAt(src, pos);
    if (sig !== SIG_LOCAL) {
      if (STRUCTURE.has(sig)) break;
      gaps++;
      pos = scanSignatures(src, pos + 1, end, tick, (_p, s) => s === SIG_LOCAL);
      continue;
    }
    const header = readLocalHeader(src, pos);
    if (!header) {
      pos = scanSignatures(src, pos + 1, end, tick, (_p, s) => s === SIG_LOCAL);
      continue;
    }
    if (members.length >= max) return { members, gaps, overLimit: true };
    const sizes = new Set<number>();
    const central = centralSizes.get(pos);
    if (central !== undefined) sizes.add(central);
    if (!(header.flags & FLAG_DESCRIPTOR) || header.compSize > 0) sizes.add(header.compSize);
    if (sizes.size === 0) {
      const d = findDescriptor(src, header.dataStart, end, tick);
      if (d) sizes.add(d.compSize);
    }
    const ordered = [...sizes].sort((a, b) => a - b);
    members.push({ header, compSize: central ?? ordered[0] ?? null });
    tick();
    let next = -1;
    for (const s of ordered) {
      next = nextRecord(src, header.dataStart + s);
      if (next > pos) break;
    }
    if (next <= pos) {
      gaps++;
      const from = header.dataStart + (ordered[0] ?? 0);
      next = scanSignatures(src, Math.max(pos + 1, from), end, tick, (_p, s) => s === SIG_LOCAL);
    }
    pos = next;
  }
  return { members, gaps, overLimit: false };
}

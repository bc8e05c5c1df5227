import type { ByteSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import {
  SIG_CENTRAL,
  SIG_EOCD64,
  SIG_LOCATOR64,
  parseCentral,
  sigAt,
  u16At,
  u32At,
  u64At,
  type CentralEntry,
} from './records.js';

/** End of central directory record plus comment, at most (APPNOTE 4.3.16). */
const EOCD_SEARCH = 22 + 0xffff;
const CD_WINDOW = 1 << 20;
const EOCD_BYTES = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const CD_RECORD_MAX = 46 + 3 * 0xffff;

/** Where the central directory is and how recorded offsets map to positions in the file. */
export interface Directory {
  eocdPos: number;
  /** File positions of the central directory: [cdStart, cdEnd). */
  cdStart: number;
  cdEnd: number;
  /** Entry count the end record declares. */
  declaredEntries: number;
  /** Added to recorded offsets to get file positions: bytes prepended to the archive (self-extractors). */
  delta: number;
  zip64: boolean;
  /** False when no central record was found where the end record points. */
  valid: boolean;
}

/** Reads the ZIP64 end record located by the locator before `eocdPos`; null when there is none. */
function readZip64(
  src: ByteSource,
  eocdPos: number,
): { pos: number; entries: number; size: number; offset: number } | null {
  const locPos = eocdPos - 20;
  if (sigAt(src, locPos) !== SIG_LOCATOR64) return null;
  const loc = src.read(locPos, 20);
  const recorded = u64At(loc, 8, 'ZIP64 end record offset');
  // Python's zipfile reads the record right before the locator; others use the recorded offset
  for (const pos of [recorded, locPos - 56]) {
    if (sigAt(src, pos) !== SIG_EOCD64) continue;
    const r = src.read(pos, 56);
    if (r.length < 56) continue;
    return {
      pos,
      entries: u64At(r, 32, 'ZIP64 entry count'),
      size: u64At(r, 40, 'ZIP64 directory size'),
      offset: u64At(r, 48, 'ZIP64 directory offset'),
    };
  }
  return null;
}

/** Builds the directory for the end record at `eocdPos`, or null when that record is cut short. */
function directoryAt(src: ByteSource, eocdPos: number): Directory | null {
  const e = src.read(eocdPos, 22);
  if (e.length < 22) return null;
  let entries = u16At(e, 10);
  let size = u32At(e, 12);
  let offset = u32At(e, 16);
  let end = eocdPos;
  const z64 = readZip64(src, eocdPos);
  if (z64) {
    entries = z64.entries;
    size = z64.size;
    offset = z64.offset;
    end = z64.pos;
  }
  const base = { eocdPos, cdEnd: end, declaredEntries: entries, zip64: z64 !== null };
  const delta = end - size - offset;
  const candidates = delta > 0 ? [delta, 0] : [0];
  for (const d of candidates) {
    const start = offset + d;
    if (start < 0 || start > end) continue;
    if (sigAt(src, start) === SIG_CENTRAL || (entries === 0 && start === end))
      return { ...base, cdStart: start, delta: d, valid: true };
  }
  return { ...base, cdStart: Math.max(0, Math.min(end, offset)), delta: 0, valid: false };
}

/**
 * Finds the end of central directory record in the last 64 KiB + 22 bytes. Candidates are tried
 * from the end; one whose comment ends exactly at the end of the file wins over one that does not
 * (a fake record inside a comment), then any whose directory is found, then the last one seen.
 */
export function findDirectory(src: ByteSource): { dir: Directory | null; error: ArtifactError | null } {
  const from = Math.max(0, src.size - EOCD_SEARCH);
  const tail = src.read(from, src.size - from);
  let loose: Directory | null = null;
  let fallback: Directory | null = null;
  let error: ArtifactError | null = null;
  for (
    let at = tail.lastIndexOf(EOCD_BYTES, tail.length - 22);
    at >= 0;
    at = at > 0 ? tail.lastIndexOf(EOCD_BYTES, at - 1) : -1
  ) {
    try {
      const dir = directoryAt(src, from + at);
      const exact = from + at + 22 + u16At(tail, at + 20) === src.size;
      if (dir?.valid && exact) return { dir, error: null };
      if (dir?.valid) loose ??= dir;
      fallback ??= dir;
    } catch (e) {
      if (!(e instanceof ArtifactError)) throw e;
      error ??= e;
    }
  }
  return { dir: loose ?? fallback, error: loose ? null : error };
}

/** Central records read from a directory, and whether reading stopped at the entry limit. */
export interface CentralListing {
  entries: CentralEntry[];
  overLimit: boolean;
}

/**
 * Reads central records from dir.cdStart while signatures continue (up to the end record), in
 * 1 MiB windows. Stops after `max` records; `tick` runs every 1024 records (deadline checks).
 */
export function readCentralDirectory(
  src: ByteSource,
  dir: Directory,
  max: number,
  tick: () => void,
): CentralListing {
  const entries: CentralEntry[] = [];
  if (!dir.valid) return { entries, overLimit: false };
  let pos = dir.cdStart;
  const end = Math.max(dir.cdEnd, dir.eocdPos);
  let buf = src.read(pos, Math.min(CD_WINDOW, end - pos));
  let off = 0;
  while (pos + off < end) {
    let parsed = parseCentral(buf, off, entries.length);
    if (!parsed && buf.length - off < CD_RECORD_MAX && pos + buf.length < end) {
      pos += off;
      off = 0;
      buf = src.read(pos, Math.min(Math.max(CD_WINDOW, CD_RECORD_MAX), end - pos));
      parsed = parseCentral(buf, 0, entries.length);
    }
    if (!parsed) break;
    if (entries.length >= max) return { entries, overLimit: true };
    entries.push(parsed.entry);
    off += parsed.length;
    if ((entries.length & 1023) === 0) tick();
  }
  return { entries, overLimit: false };
}

import type { ByteSource } from '../../../core/index.js';
import { detectUnscannable } from '../compressed/archive.js';
import { detectCompression } from '../compressed/detect.js';
import { detectTar } from '../tar/header.js';
import { METHOD_NAMES } from './open.js';
import { SIG_DESCRIPTOR, SIG_EOCD, SIG_LOCAL, sigAt, u16At, u32At } from './records.js';
import { scanSignatures } from './walk.js';

/** 'PK00': the marker of an archive that was meant to span disks but fit on one. */
const SIG_SPAN_SINGLE = 0x30304b50;

/** Magic bytes of formats that may carry a zip inside their first 4 KiB but are not zips. */
function startsLikeOtherFormat(head: Uint8Array): boolean {
  const b0 = head[0] ?? 0;
  if (b0 === 0x80) return true; // pickle protocol 2+: torch.load reads such a polyglot as a pickle
  const text = Buffer.from(head.subarray(0, 8)).toString('latin1');
  if (text.startsWith('\x93NUMPY') || text.startsWith('\x89HDF') || text.startsWith('GGUF')) return true;
  return detectTar(head) || detectCompression(head) !== null || detectUnscannable(head) !== undefined;
}

/** True when a plausible local header (known method, sane printable name) starts at `k` of `head`. */
function plausibleLocal(head: Uint8Array, k: number): boolean {
  if (u32At(head, k) !== SIG_LOCAL) return false;
  const version = u16At(head, k + 4);
  const method = u16At(head, k + 8);
  const nameLen = u16At(head, k + 26);
  const extraLen = u16At(head, k + 28);
  if (version < 0 || version > 100 || METHOD_NAMES[method] === undefined) return false;
  if (nameLen < 1 || nameLen > 1024 || extraLen > 1024) return false;
  const name = head.subarray(k + 30, Math.min(head.length, k + 30 + nameLen));
  return name.every((c) => c >= 0x20 && c !== 0x7f);
}

/**
 * A zip starts with a local header, an empty archive's end record, or a spanning marker followed by
 * a local header. Junk before the first local header (self-extractors, polyglots) is accepted when
 * a plausible local header appears in the 4 KiB head and the head is not another known format.
 */
export function detectZip(head: Buffer, size: number): boolean {
  const sig = u32At(head, 0);
  if (sig === SIG_LOCAL) return head.length >= 30;
  if (sig === SIG_EOCD) return size >= 22;
  if (sig === SIG_DESCRIPTOR || sig === SIG_SPAN_SINGLE) return u32At(head, 4) === SIG_LOCAL;
  if (head.length < 34 || startsLikeOtherFormat(head)) return false;
  for (
    let k = head.indexOf('PK\x03\x04', 1, 'latin1');
    k > 0;
    k = head.indexOf('PK\x03\x04', k + 1, 'latin1')
  )
    if (plausibleLocal(head, k)) return true;
  return false;
}

/** Where the local header walk starts, and how many bytes before it are foreign data. */
export interface ArchiveStart {
  first: number;
  prefix: number;
}

/** Finds the first local header (searching from the front); -1 when there is none before `end`. */
export function archiveStart(src: ByteSource, end: number, tick: () => void): ArchiveStart {
  const sig = sigAt(src, 0);
  if (sig === SIG_LOCAL) return { first: 0, prefix: 0 };
  if ((sig === SIG_DESCRIPTOR || sig === SIG_SPAN_SINGLE) && sigAt(src, 4) === SIG_LOCAL)
    return { first: 4, prefix: 0 };
  const first = scanSignatures(src, 0, end, tick, (_p, s) => s === SIG_LOCAL);
  return { first, prefix: Math.max(0, first) };
}

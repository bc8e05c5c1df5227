import type { ByteSource } from '../../../core/index.js';
import type { ArtifactError } from '../../errors.js';
import type { Directory } from './directory.js';
import { readLocalHeader, type CentralEntry, type LocalHeader } from './records.js';
import type { Walk } from './walk.js';

/** One archive member as the central directory and/or the local header walk see it. */
export interface Member {
  /** Central name if listed there, else the local name. */
  name: string;
  /** Every distinct name readers may use: central, local, Unicode-path extras. */
  names: string[];
  central?: CentralEntry;
  local?: LocalHeader;
  /** Flags of both headers OR-ed (an encryption bit in either counts). */
  flags: number;
  /** Method a central-directory reader uses (central first, as Python's zipfile does). */
  method: number;
  compSize: number | null;
  uncompSize: number | null;
  /** File position of the data; -1 when no local header was found for a central entry. */
  dataStart: number;
  /** Where the member's records start (local header), for overlap checks; -1 if unknown. */
  headerStart: number;
  /** Found by the local walk but absent from the central directory. */
  localOnly: boolean;
  error?: ArtifactError;
}

function addName(names: string[], n: string | undefined): void {
  if (n !== undefined && !names.includes(n)) names.push(n);
}

/** Local header of a central entry, at its offset adjusted for prepended bytes or as recorded. */
function localFor(src: ByteSource, dir: Directory | null, e: CentralEntry): LocalHeader | null {
  const delta = dir?.delta ?? 0;
  return readLocalHeader(src, e.localOffset + delta) ?? (delta ? readLocalHeader(src, e.localOffset) : null);
}

/**
 * Merges central entries and walked local headers into members keyed by local header position.
 * Several central entries pointing at one header become one member per entry (a duplicate that the
 * overlap check reports); walked headers that no central entry points at are local-only members.
 */
export function mergeMembers(
  src: ByteSource,
  dir: Directory | null,
  central: CentralEntry[],
  walk: Walk,
): Member[] {
  const members: Member[] = [];
  const claimed = new Set<number>();
  for (const e of central) {
    let local: LocalHeader | null = null;
    try {
      local = localFor(src, dir, e);
    } catch {
      local = null;
    }
    const names: string[] = [];
    addName(names, e.name);
    addName(names, e.unicodeName);
    addName(names, local?.name);
    addName(names, local?.unicodeName);
    if (local) claimed.add(local.offset);
    const error = e.error ?? local?.error;
    members.push({
      name: e.name,
      names,
      central: e,
      ...(local ? { local } : {}),
      flags: e.flags | (local?.flags ?? 0),
      method: e.method,
      compSize: e.compSize,
      uncompSize: e.uncompSize,
      dataStart: local ? local.dataStart : -1,
      headerStart: local ? local.offset : -1,
      localOnly: false,
      ...(error ? { error } : {}),
    });
  }
  for (const w of walk.members) {
    const h = w.header;
    if (claimed.has(h.offset)) continue;
    claimed.add(h.offset);
    const names: string[] = [];
    addName(names, h.name);
    addName(names, h.unicodeName);
    const unknownSize = h.uncompSize === 0 && (w.compSize ?? 0) > 0;
    members.push({
      name: h.name,
      names,
      local: h,
      flags: h.flags,
      method: h.method,
      compSize: w.compSize,
      uncompSize: unknownSize ? null : h.uncompSize,
      dataStart: h.dataStart,
      headerStart: h.offset,
      localOnly: true,
      ...(h.error ? { error: h.error } : {}),
    });
  }
  return members;
}

/** Pairs of members of known size whose header-to-data-end ranges intersect (at most `max`). */
export function overlaps(members: Member[], fileEnd: number, max = 20): Array<[Member, Member]> {
  const spans = members
    .filter((m) => m.headerStart >= 0 && m.compSize !== null && m.dataStart <= fileEnd)
    .map((m) => ({ m, start: m.headerStart, end: m.dataStart + (m.compSize ?? 0) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Array<[Member, Member]> = [];
  let reach: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (reach && s.start < reach.end) {
      out.push([reach.m, s.m]);
      if (out.length >= max) break;
    }
    if (!reach || s.end > reach.end) reach = s;
  }
  return out;
}

/** Names listed more than once in the central directory. */
export function duplicateNames(members: Member[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const m of members) {
    if (!m.central) continue;
    if (seen.has(m.name)) dup.add(m.name);
    seen.add(m.name);
  }
  return [...dup];
}

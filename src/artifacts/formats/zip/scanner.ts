import { REFS, type ByteSource } from '../../../core/index.js';
import { formatError, limitExceeded, type ArtifactError } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { archiveStart, detectZip } from './detect.js';
import { findDirectory, readCentralDirectory } from './directory.js';
import { BOMB_RATIO, BOMB_RATIO_MIN_OUTPUT, type InflateBudget } from './inflate.js';
import { mergeMembers, type Member } from './members.js';
import { isPickleName, isTorchStorage, torchRoots } from './names.js';
import { openMember } from './open.js';
import { FLAG_ENCRYPTED } from './records.js';
import {
  memberLocation,
  reportMemberNames,
  reportStructure,
  reportSymlink,
  reportUninspectable,
} from './report.js';
import { walkLocalHeaders } from './walk.js';

/** Per-archive state of one scan. */
interface ArchiveState {
  src: ByteSource;
  ctx: ScanContext;
  /** Where the member data area ends (the central directory, or the end of the file). */
  dataEnd: number;
  budget: InflateBudget;
  roots: Set<string>;
  bombed: boolean;
  skippedAfterBomb: number;
  deferred: ArtifactError[];
}

/** Scans one member: findings about it, then its content through ctx.scanNested. */
async function scanMember(st: ArchiveState, m: Member): Promise<void> {
  const { ctx } = st;
  reportMemberNames(ctx, m);
  if (m.error) {
    st.deferred.push(m.error);
    return;
  }
  if (m.dataStart < 0) {
    ctx.emit({
      id: 'zip.missing-local-header',
      severity: 'medium',
      title: 'Central directory entry without a local header',
      detail: `Member ${JSON.stringify(m.name)} is listed, but no local header is where the directory points; it could not be read.`,
      location: memberLocation(ctx, m.name),
      refs: REFS.malformed,
    });
    return;
  }
  const isDir = m.names.every((n) => n.endsWith('/')) && !m.compSize;
  if (isDir || m.compSize === 0) return;
  if (m.names.every((n) => isTorchStorage(n, st.roots))) {
    ctx.metric('zip_storages_skipped', 1);
    return;
  }
  const encrypted = (m.flags & FLAG_ENCRYPTED) !== 0;
  if (encrypted) reportUninspectable(ctx, m, 'encrypted');
  if (((m.central?.unixMode ?? 0) & 0o170000) === 0o120000 && m.method === 0 && !encrypted) {
    reportSymlink(ctx, m, st.src.read(m.dataStart, Math.min(m.compSize ?? 0, 4096)).toString('utf8'));
    return;
  }
  if (st.bombed && m.method !== 0) {
    st.skippedAfterBomb++;
    return;
  }
  const end = m.dataStart < st.dataEnd ? st.dataEnd : st.src.size;
  const opened = openMember(st.src, m, end, st.budget, () => ctx.checkDeadline());
  if (!opened) {
    if (!encrypted) reportUninspectable(ctx, m, 'method');
    return;
  }
  try {
    const pickle = m.names.some(isPickleName);
    // encrypted members are tried anyway: the flag is sometimes set on plain data to dodge scanners
    await ctx.scanNested(m.name || '<unnamed>', opened.source, {
      ...(pickle ? { format: 'pickle' } : {}),
      speculative: encrypted,
    });
  } finally {
    opened.close();
  }
  ctx.metric('zip_members_scanned', 1);
  ctx.metric('zip_bytes_inflated', opened.inflated());
  const bomb = opened.bomb();
  if (bomb) {
    st.bombed = true;
    ctx.emit({
      id: 'zip.bomb',
      severity: 'high',
      title: 'Archive member is a decompression bomb',
      detail:
        bomb === 'cap'
          ? `Member ${JSON.stringify(m.name)} inflates past the limit of ${ctx.limits.maxInflateBytes} bytes ` +
            '(limits.maxInflateBytes, counted across the archive); inflation stopped there.'
          : `Member ${JSON.stringify(m.name)} inflates more than ${BOMB_RATIO} times its compressed size past ` +
            `${BOMB_RATIO_MIN_OUTPUT / 1024 ** 2} MiB; ` +
            'inflation stopped there. Compressed members after it are not inflated.',
      location: memberLocation(ctx, m.name),
      refs: REFS.resource,
    });
  }
  const corrupt = opened.corrupt();
  if (corrupt && !encrypted)
    ctx.emit({
      id: 'zip.corrupt-member',
      severity: 'low',
      title: 'Archive member data is corrupt',
      detail: `Member ${JSON.stringify(m.name)} could not be decompressed in full (${corrupt}); what decoded was scanned.`,
      location: memberLocation(ctx, m.name),
      refs: REFS.malformed,
    });
}

/** Pickles first: if a bomb later stops inflation, the members that matter were already read. */
function scanOrder(members: Member[]): Member[] {
  const rank = (m: Member): number => (m.names.some(isPickleName) ? 0 : 1);
  return members
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map((x) => x.m);
}

/**
 * Zip archives (torch checkpoints, .npz, .keras, joblib-in-zip, plain zips). A tolerant parser of
 * its own: the central directory (with ZIP64 and prepended data) and a walk of the local headers
 * from the front, merged, so members hidden from either side are still scanned. Every member goes
 * through format detection; `.pkl` members are parsed as pickles; torch raw storages are skipped.
 * Structural problems are findings; CRCs are not checked (loaders disagree, and it costs a read).
 */
export const zipScanner: Scanner = {
  format: 'zip',
  detect: detectZip,
  async scan(src: ByteSource, ctx: ScanContext): Promise<void> {
    const tick = (): void => ctx.checkDeadline();
    const deferred: ArtifactError[] = [];
    const { dir, error } = findDirectory(src);
    if (error) deferred.push(error);
    const listing = dir
      ? readCentralDirectory(src, dir, ctx.limits.maxMembers, tick)
      : { entries: [], overLimit: false };
    // the walk runs to the end of the file (it stops at the first central record on a record
    // boundary): a directory placed early must not hide the local headers after it
    const { first, prefix } = archiveStart(src, src.size, tick);
    const centralSizes = new Map<number, number>();
    for (const e of listing.entries) centralSizes.set(e.localOffset + (dir?.delta ?? 0), e.compSize);
    const walk =
      first >= 0
        ? walkLocalHeaders(src, first, src.size, centralSizes, ctx.limits.maxMembers, tick)
        : { members: [], gaps: 0, overLimit: false };
    const members = mergeMembers(src, dir, listing.entries, walk);
    if (members.length === 0 && !dir?.valid)
      throw formatError('zip: no central directory and no local headers found');
    ctx.metric('zip_members', members.length);
    if (walk.gaps > 0) ctx.metric('zip_gaps_searched', walk.gaps);
    reportStructure(ctx, dir, members, prefix, src.size);
    if (prefix > 0) await ctx.scanNested('<prefix>', src.slice(0, prefix), { speculative: true });
    const st: ArchiveState = {
      src,
      ctx,
      dataEnd: dir?.valid ? dir.cdStart : src.size,
      budget: { remaining: ctx.limits.maxInflateBytes },
      roots: torchRoots(members.flatMap((m) => m.names)),
      bombed: false,
      skippedAfterBomb: 0,
      deferred,
    };
    const limit = Math.min(members.length, ctx.limits.maxMembers);
    for (const m of scanOrder(members).slice(0, limit)) {
      tick();
      await scanMember(st, m);
    }
    if (st.skippedAfterBomb > 0) ctx.metric('zip_members_skipped_after_bomb', st.skippedAfterBomb);
    if (listing.overLimit || walk.overLimit || members.length > ctx.limits.maxMembers)
      throw limitExceeded(
        `zip: more than ${ctx.limits.maxMembers} members (limits.maxMembers); the rest were not scanned`,
      );
    if (deferred[0]) throw deferred[0];
  },
};

import { REFS, type ByteSource } from '../../../core/index.js';
import { formatError, limitExceeded, truncated, type ArtifactError } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { isPickleName, pathIssue } from '../zip/names.js';
import { BLOCK, detectTar, isZeroBlock, parseHeader, parsePax } from './header.js';

/** Largest pax or GNU long-name record read into memory. */
const META_MAX = 1024 * 1024;
/** Members of legacy torch checkpoints (torch < 1.6 saved tar files) that hold pickles. */
const TORCH_PICKLE = 'pickle';
const TORCH_STREAMS = new Set(['storages', 'tensors']);
const SKIP_DATA = new Set(['1', '2', '3', '4', '5', '6']);

/** Overrides for the next header that pax ('x'/'g') and GNU ('L'/'K') records carry. */
interface Pending {
  path?: string;
  linkPath?: string;
  size?: number;
}

// Link, device, directory and FIFO entries carry no data; any other type (regular '0'/'\0', contiguous
// '7', sparse 'S', vendor types) is read as a regular file, as POSIX says for unknown types.

function readMeta(src: ByteSource, pos: number, size: number): Buffer {
  if (size > META_MAX) throw limitExceeded(`tar: extended header of ${size} bytes is over ${META_MAX}`);
  const data = src.read(pos, size);
  if (data.length < size) throw truncated('tar: extended header ends early');
  return data;
}

function applyPax(target: Pending, rec: Map<string, string>): void {
  const path = rec.get('path');
  const link = rec.get('linkpath');
  const size = rec.get('size');
  if (path !== undefined) target.path = path;
  if (link !== undefined) target.linkPath = link;
  if (size !== undefined) {
    const n = Number(size);
    if (!/^\d+$/.test(size) || !Number.isSafeInteger(n))
      throw formatError(`tar: invalid pax size ${size.slice(0, 32)}`);
    target.size = n;
  }
}

function location(ctx: ScanContext, name: string): { member: string } {
  return { member: ctx.member ? `${ctx.member}!${name}` : name };
}

/** Path traversal findings for a member name and, for links, the link target. */
function reportNames(ctx: ScanContext, name: string, type: string, link: string): void {
  const issues: Array<[string, ReturnType<typeof pathIssue>]> = [
    [`name ${JSON.stringify(name)}`, pathIssue(name)],
  ];
  if (type === '1' || type === '2') issues.push([`link target ${JSON.stringify(link)}`, pathIssue(link)]);
  for (const [what, issue] of issues)
    if (issue)
      ctx.emit({
        id: 'tar.path-traversal',
        severity: issue.severity,
        title: `Tar member ${what.split(' ')[0] ?? 'name'} ${issue.reason}`,
        detail: `The ${what} ${issue.reason}; extracting the archive may write outside the target directory.`,
        location: location(ctx, name),
        refs: REFS.pathTraversal,
      });
}

/** How a regular member is scanned: legacy torch pickles by name, `.pkl` as pickle, else detection. */
function nestedOptions(name: string): { format?: string; speculative?: boolean } {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === TORCH_PICKLE || isPickleName(name)) return { format: 'pickle' };
  // a pickle followed by raw tensor bytes: findings count, a parse error at the raw part does not
  if (TORCH_STREAMS.has(base)) return { format: 'pickle', speculative: true };
  return {};
}

/**
 * Tar archives (ustar, GNU, pax, v7), including legacy torch checkpoints ('sys_info', 'pickle',
 * 'storages', 'tensors'). Headers are walked block by block with checksums verified; members are
 * zero-copy slices scanned through ctx.scanNested. Sizes are bounded by the file, names checked
 * for traversal, pax/GNU long names honoured, members bounded by limits.maxMembers.
 */
export const tarScanner: Scanner = {
  format: 'tar',
  detect: (head) => detectTar(head),
  async scan(src: ByteSource, ctx: ScanContext): Promise<void> {
    let pos = 0;
    let members = 0;
    let global: Pending = {};
    let next: Pending = {};
    let deferred: ArtifactError | null = null;
    while (pos + BLOCK <= src.size) {
      ctx.checkDeadline();
      const block = src.read(pos, BLOCK);
      if (isZeroBlock(block)) break;
      const h = parseHeader(block);
      if (!h) {
        if (pos === 0) throw formatError('tar: first header has a bad checksum');
        ctx.emit({
          id: 'tar.bad-header',
          severity: 'low',
          title: 'Tar header with a bad checksum',
          detail: `The header at offset ${pos} is not valid; reading stopped there, as tar readers do.`,
          location: { offset: pos },
          refs: REFS.malformed,
        });
        break;
      }
      const dataStart = pos + BLOCK;
      const size = next.size ?? h.size;
      const dataEnd = dataStart + (SKIP_DATA.has(h.type) && next.size === undefined ? 0 : size);
      pos = dataStart + Math.ceil((dataEnd - dataStart) / BLOCK) * BLOCK;
      if (h.type === 'x' || h.type === 'g') {
        applyPax(
          h.type === 'x' ? next : (global = { ...global }),
          parsePax(readMeta(src, dataStart, h.size)),
        );
        continue;
      }
      if (h.type === 'L' || h.type === 'K') {
        const text = readMeta(src, dataStart, h.size).toString('utf8').replace(/\0.*$/s, '');
        if (h.type === 'L') next.path = text;
        else next.linkPath = text;
        continue;
      }
      const name = next.path ?? global.path ?? h.name;
      const link = next.linkPath ?? global.linkPath ?? h.linkName;
      next = {};
      if (++members > ctx.limits.maxMembers) {
        deferred ??= limitExceeded(`tar: more than ${ctx.limits.maxMembers} members (limits.maxMembers)`);
        break;
      }
      reportNames(ctx, name, h.type, link);
      if (SKIP_DATA.has(h.type)) continue;
      if (dataEnd > src.size) deferred ??= truncated(`tar: member ${JSON.stringify(name)} is cut short`);
      if (size === 0) continue;
      await ctx.scanNested(name || '<unnamed>', src.slice(dataStart, dataEnd), nestedOptions(name));
    }
    if (!deferred && pos < src.size && pos + BLOCK > src.size && !isZeroBlock(src.read(pos, BLOCK)))
      deferred = truncated('tar: last header block is cut short');
    ctx.metric('tar_members', members);
    if (deferred) throw deferred;
  },
};

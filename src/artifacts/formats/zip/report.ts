import { REFS } from '../../../core/index.js';
import type { ScanContext } from '../../scan/types.js';
import type { Directory } from './directory.js';
import { duplicateNames, overlaps, type Member } from './members.js';
import { looksLikeModel, pathIssue } from './names.js';
import { METHOD_NAMES } from './open.js';

/** Location of a finding about member `name` of the archive being scanned. */
export function memberLocation(ctx: ScanContext, name: string): { member: string } {
  return { member: ctx.member ? `${ctx.member}!${name}` : name };
}

/** Path traversal and header disagreement findings for one member. */
export function reportMemberNames(ctx: ScanContext, m: Member): void {
  const location = memberLocation(ctx, m.name);
  for (const n of m.names) {
    const issue = pathIssue(n);
    if (issue)
      ctx.emit({
        id: 'zip.path-traversal',
        severity: issue.severity,
        title: `Archive member name ${issue.reason}`,
        detail: `Member ${JSON.stringify(n)} ${issue.reason}; extracting the archive may write outside the target directory.`,
        location,
        refs: REFS.pathTraversal,
      });
  }
  const c = m.central;
  const l = m.local;
  if (c && l && (c.name !== l.name || c.method !== l.method || (c.flags & 1) !== (l.flags & 1)))
    ctx.emit({
      id: 'zip.header-mismatch',
      severity: 'medium',
      title: 'Local header and central directory disagree',
      detail:
        `The central directory says ${JSON.stringify(c.name)} (method ${c.method}, flags 0x${c.flags.toString(16)}) ` +
        `but the local header says ${JSON.stringify(l.name)} (method ${l.method}, flags 0x${l.flags.toString(16)}). ` +
        'Readers that trust different records see different files; both names were considered.',
      location,
      refs: REFS.malformed,
    });
}

/** A symlink member whose target (its data) escapes the extraction directory. */
export function reportSymlink(ctx: ScanContext, m: Member, target: string): void {
  const issue = pathIssue(target);
  if (!issue) return;
  ctx.emit({
    id: 'zip.path-traversal',
    severity: issue.severity,
    title: `Symlink member target ${issue.reason}`,
    detail:
      `Member ${JSON.stringify(m.name)} is a symbolic link to ${JSON.stringify(target)}, which ${issue.reason}; ` +
      'tools that extract links (unzip, some loaders) can be made to write or read outside the target directory.',
    location: memberLocation(ctx, m.name),
    refs: REFS.pathTraversal,
  });
}

/** Finding for a member that cannot be read: encrypted, or compressed with an unsupported method. */
export function reportUninspectable(ctx: ScanContext, m: Member, why: 'encrypted' | 'method'): void {
  const model = m.names.some(looksLikeModel);
  const what =
    why === 'encrypted' ? 'encrypted' : `compressed with ${METHOD_NAMES[m.method] ?? `method ${m.method}`}`;
  ctx.emit({
    id: why === 'encrypted' ? 'zip.encrypted-member' : 'zip.unsupported-method',
    severity: model ? 'high' : 'medium',
    title: `Archive member is ${what} and cannot be inspected`,
    detail:
      `Member ${JSON.stringify(m.name)} is ${what}, so its content was not inspected` +
      (model ? '; its name says it holds a model or pickle, which could run code when loaded.' : '.'),
    location: memberLocation(ctx, m.name),
    refs: REFS.uninspectable,
  });
}

/** Archive-level findings: prefixed data, missing directory, local-only members, duplicates, overlaps. */
export function reportStructure(
  ctx: ScanContext,
  dir: Directory | null,
  members: Member[],
  prefix: number,
  size: number,
): void {
  const emit = (id: string, severity: 'low' | 'medium', title: string, detail: string): void =>
    ctx.emit({ id, severity, title, detail, refs: REFS.malformed });
  if (prefix > 0)
    emit(
      'zip.prefixed-data',
      'medium',
      'Data before the archive',
      `${prefix} bytes precede the first local header: a self-extractor or a polyglot file that other ` +
        'loaders may read as a different format. The prefix was scanned separately.',
    );
  if (!dir?.valid && members.length > 0)
    emit(
      'zip.no-central-directory',
      'low',
      'No usable central directory',
      'Members were found by walking local headers only; zip readers that need the central directory cannot open this file.',
    );
  const hidden = members.filter((m) => m.localOnly);
  if (dir?.valid && hidden.length > 0)
    emit(
      'zip.local-only-member',
      'medium',
      'Members missing from the central directory',
      `${hidden.length} member(s) have local headers but no central directory entry ` +
        `(${hidden
          .slice(0, 5)
          .map((m) => JSON.stringify(m.name))
          .join(', ')}): ` +
        'central-directory readers do not see them, streaming readers do. They were scanned.',
    );
  const dups = duplicateNames(members);
  if (dups.length > 0)
    emit(
      'zip.duplicate-name',
      'medium',
      'Duplicate member names',
      `Names listed more than once: ${dups
        .slice(0, 5)
        .map((n) => JSON.stringify(n))
        .join(', ')}; ` + 'readers disagree on which copy wins. Every copy was scanned.',
    );
  const over = overlaps(members, size);
  if (over.length > 0)
    emit(
      'zip.overlapping-members',
      'medium',
      'Members overlap each other',
      `Member data ranges overlap (${over
        .slice(0, 3)
        .map(([a, b]) => `${JSON.stringify(a.name)} / ${JSON.stringify(b.name)}`)
        .join(', ')}): a trick of non-recursive zip bombs and of hiding data.`,
    );
}

import { REFS } from '../../../core/index.js';
import type { Scanner } from '../../scan/types.js';

/** A container format this toolkit cannot open, recognised by its magic bytes. */
interface ArchiveMagic {
  name: string;
  magic: readonly number[];
  /** Extra check on the head beyond the magic. */
  also?: (head: Uint8Array) => boolean;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Formats recognised here; zstd needs a decoder this package does not ship (node:zlib has none in Node 20). */
export const UNSCANNABLE_ARCHIVES: readonly ArchiveMagic[] = [
  { name: '7z', magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'RAR', magic: [...ascii('Rar!'), 0x1a, 0x07] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'CAB', magic: [...ascii('MSCF'), 0, 0, 0, 0] },
  { name: 'xar', magic: ascii('xar!') },
  { name: 'ar', magic: ascii('!<arch>\n') },
  { name: 'cpio', magic: ascii('07070'), also: (h) => h[5] === 0x31 || h[5] === 0x32 || h[5] === 0x37 },
  { name: 'lzip', magic: ascii('LZIP') },
  { name: 'lzop', magic: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a] },
  {
    name: 'Unix compress (.Z)',
    magic: [0x1f, 0x9d],
    also: (h) => ((h[2] ?? 0) & 0x60) === 0 && (h[2] ?? 0) >= 0x89,
  },
];

/** The archive format the head starts with, if it is one that cannot be opened. */
export function detectUnscannable(head: Uint8Array): ArchiveMagic | undefined {
  return UNSCANNABLE_ARCHIVES.find(
    (a) =>
      head.length >= a.magic.length && a.magic.every((b, i) => head[i] === b) && (a.also?.(head) ?? true),
  );
}

/**
 * Archives and compressors with no decoder here (7z, RAR, zstd, CAB, xar, ...). Their content cannot
 * be inspected and may hide a pickle (7z-wrapped payloads evade scanners that skip it), so the file
 * gets one high finding; a loader that unpacks it first would run whatever is inside.
 */
export const unscannableArchiveScanner: Scanner = {
  format: 'archive',
  detect: (head) => detectUnscannable(head) !== undefined,
  scan(src, ctx): void {
    const kind = detectUnscannable(src.read(0, 16));
    const name = kind?.name ?? 'unknown';
    ctx.metric('archives_unscannable', 1);
    ctx.emit({
      id: 'archive.unscannable',
      severity: 'high',
      title: `${name} archive cannot be inspected`,
      detail:
        `This is a ${name} archive, which this scanner cannot open: its content cannot be inspected and ` +
        'may hide a pickle or other executable payload. Unpack it in a sandbox and scan the members, or ' +
        'ship the model in a format that can be inspected (safetensors, or a plain zip).',
      refs: REFS.uninspectable,
    });
  },
};

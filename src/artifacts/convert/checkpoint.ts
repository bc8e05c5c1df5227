/**
 * Opens a torch.save zip checkpoint for conversion: `<root>/data.pkl`, `<root>/byteorder` and the
 * storages `<root>/data/<key>`. Strict where the scanner is tolerant: members come from the
 * central directory only (what torch's own reader uses), a name listed twice, a second data.pkl,
 * encryption or a compression method other than stored/deflate are errors.
 */
import { readAllBounded, type ByteSource } from '../../core/index.js';
import { findDirectory, readCentralDirectory } from '../formats/zip/directory.js';
import { mergeMembers, type Member } from '../formats/zip/members.js';
import { openMember, type OpenedMember } from '../formats/zip/open.js';
import { FLAG_ENCRYPTED } from '../formats/zip/records.js';
import { invalid, unsupported } from './errors.js';
import { isLegacyTorch, openTorchLegacy } from './legacy.js';
import { isTorchTar, openTorchTar } from './legacy-tar.js';
import { readTorchPickle, type FlatCheckpoint, type StorageRef } from './torch-pickle.js';

/** Largest data.pkl read into memory (real ones are kilobytes to a few megabytes). */
export const MAX_PICKLE_BYTES = 512 * 1024 ** 2;
const MAX_MEMBERS = 1_000_000;

/** An opened checkpoint: its tensors and access to storage bytes. Close when done. */
export interface TorchZip {
  root: string;
  flat: FlatCheckpoint;
  /** The bytes of a storage, checked against the size its persistent id declares. */
  storage(ref: StorageRef): ByteSource;
  close(): void;
}

function isZip(src: ByteSource): boolean {
  const h = src.read(0, 4);
  return h.length === 4 && h.readUInt32LE(0) === 0x04034b50;
}

/** Opens a torch.save checkpoint: the zip format, or the legacy stacked-pickle one. */
export function openTorchCheckpoint(src: ByteSource): TorchZip {
  if (isLegacyTorch(src)) return openTorchLegacy(src, MAX_PICKLE_BYTES);
  if (!isZip(src) && isTorchTar(src)) return openTorchTar(src, MAX_PICKLE_BYTES);
  return openTorchZip(src);
}

export function openTorchZip(src: ByteSource): TorchZip {
  if (!isZip(src))
    throw unsupported(
      'not a torch checkpoint: not the zip format, the legacy stacked-pickle one or the tar one of torch < 0.4',
    );
  const { dir, error } = findDirectory(src);
  if (!dir?.valid) throw invalid('zip checkpoint without a readable central directory', error ?? undefined);
  const listing = readCentralDirectory(src, dir, MAX_MEMBERS, () => {});
  if (listing.overLimit) throw unsupported(`zip checkpoint has more than ${MAX_MEMBERS} members`);
  const members = mergeMembers(src, dir, listing.entries, { members: [], gaps: 0, overLimit: false });
  const byName = new Map<string, Member>();
  for (const m of members) {
    if (byName.has(m.name)) throw invalid(`zip member ${JSON.stringify(m.name)} is listed twice`);
    byName.set(m.name, m);
  }
  const pickles = [...byName.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1)
    throw invalid(`expected one <root>/data.pkl in the checkpoint, found ${pickles.length}`);
  const root = pickles[0]!.slice(0, -'/data.pkl'.length);
  const budget = { remaining: Number.MAX_SAFE_INTEGER };
  const opened: OpenedMember[] = [];
  const open = (name: string): ByteSource | null => {
    const m = byName.get(name);
    if (!m) return null;
    if (m.error) throw invalid(`zip member ${name}: ${m.error.message}`, m.error);
    if (m.dataStart < 0) throw invalid(`zip member ${name} has no local header`);
    if (m.flags & FLAG_ENCRYPTED) throw unsupported(`zip member ${name} is encrypted`);
    if (m.method !== 0 && m.method !== 8)
      throw unsupported(`zip member ${name} uses compression method ${m.method}`);
    const o = openMember(src, m, dir.cdStart, budget, () => {});
    if (!o) throw unsupported(`zip member ${name} cannot be read`);
    opened.push(o);
    if (o.source.size !== m.uncompSize) throw invalid(`zip member ${name} is shorter than its recorded size`);
    return o.source;
  };
  const close = (): void => {
    for (const o of opened.splice(0)) o.close();
  };
  try {
    const order = open(`${root}/byteorder`);
    const byteorder = order ? order.read(0, 16).toString('latin1').trim() : 'little';
    if (byteorder !== 'little')
      throw unsupported(
        `checkpoint byte order is ${JSON.stringify(byteorder)}; only little-endian is converted`,
      );
    const pkl = open(`${root}/data.pkl`)!;
    const flat = readTorchPickle(readAllBounded(pkl, MAX_PICKLE_BYTES, 'data.pkl'));
    const storages = new Map<string, ByteSource>();
    return {
      root,
      flat,
      storage(ref) {
        let s = storages.get(ref.key);
        if (!s) {
          const got = open(`${root}/data/${ref.key}`);
          if (!got) throw invalid(`storage ${ref.key} has no member ${root}/data/${ref.key}`);
          s = got;
          storages.set(ref.key, s);
        }
        if (s.size !== ref.nbytes)
          throw invalid(`storage ${ref.key} holds ${s.size} bytes, its record declares ${ref.nbytes}`);
        return s;
      },
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}

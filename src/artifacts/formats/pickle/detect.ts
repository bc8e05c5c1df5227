/**
 * Cheap recognition of pickle data from the first bytes of a file. Protocol 2+ streams start with
 * PROTO; protocol 0/1 streams have no header, so the head is dry-run through the VM and accepted
 * only if it reaches STOP or runs out of bytes after whole opcodes (text and JSON fail fast).
 */
import { SeqReader, bufferSource, isWardenError } from '../../../core/index.js';
import { HEADERLESS_OPENERS, HIGHEST_PROTOCOL, OP } from './opcodes.js';
import type { VmSink } from './sink.js';
import { PickleVM } from './vm.js';

/** Module and attribute names as Python writes them; text that merely starts with 'c' has others. */
const IDENT = /^[\p{L}_][\p{L}\p{N}_]*(\.[\p{L}_][\p{L}\p{N}_]*)*$/u;

/** Probes `head` (the first bytes of a `size`-byte file); never throws. */
export function looksLikePickle(head: Uint8Array, size: number): boolean {
  if (head.length < 2) return false;
  const b0 = head[0] as number;
  const b1 = head[1] as number;
  if (b0 === OP.PROTO) {
    if (b1 > HIGHEST_PROTOCOL) return false;
    if (b1 >= 2) return true;
  } else if (!HEADERLESS_OPENERS.has(b0)) return false;
  return dryRun(head, size);
}

function dryRun(head: Uint8Array, size: number): boolean {
  let names = true;
  const sink: VmSink = {
    onImport: (ref) => void (names &&= IDENT.test(ref.module) && IDENT.test(ref.name)),
    onFinding() {},
    onNested() {},
  };
  const vm = new PickleVM(new SeqReader(bufferSource(head), Math.max(64, head.length)), sink, {
    joblib: false,
    tick() {},
  });
  try {
    vm.run();
    return names;
  } catch (e) {
    if (!names) return false;
    if (!isWardenError(e) || e.code !== 'TRUNCATED') return false;
    // vm.ops counts the opcode that ran out of bytes: require whole opcodes before it
    if (head.length < size) return vm.ops >= 2 || plausibleFirstLength(head, size);
    return vm.ops >= 3; // the whole file is here: a broken pickle that still says something
  }
}

/** A protocol 1 stream may open with one long BINSTRING/BINUNICODE that fills the whole head. */
function plausibleFirstLength(head: Uint8Array, size: number): boolean {
  const op = head[0];
  if ((op !== OP.BINUNICODE && op !== OP.BINSTRING) || head.length < 5) return false;
  const n =
    ((head[1] as number) | ((head[2] as number) << 8) | ((head[3] as number) << 16)) +
    (head[4] as number) * 2 ** 24;
  return n + 6 <= size;
}

import { stepSession, type StepOptions, type StepSession } from './step-graph.js';
import type { AttackTarget } from './types.js';

/** One compiled step graph of a target, and how many attack calls are using it right now. */
interface Entry {
  key: string;
  session: Promise<StepSession>;
  users: number;
}

/** A step session lent to one attack call; `release` hands it back (closing it only if it was not kept). */
export interface StepLease {
  session: StepSession;
  release(): Promise<void>;
}

// Building a step session (graph, differentiation, onnxruntime's layout transforms and constant folding) costs
// about a quarter of a PGD-10 run on the benchmark CNN; evaluation runs the same attack batch after batch.
const KEEP = 4;
const kept = new WeakMap<AttackTarget, Entry[]>();

/**
 * The step session of `target` for these step options, built once and kept with the target (at most four
 * option sets, least recently used first out, never one in use). Weights fed per step are never cached:
 * they belong to a model that changes under training.
 */
export async function leaseStepSession(
  target: AttackTarget & { emit: NonNullable<AttackTarget['emit']> },
  owner: AttackTarget,
  opts: Omit<StepOptions, 'liveWeights'>,
): Promise<StepLease> {
  const key = JSON.stringify([
    opts.eps,
    opts.alpha,
    opts.norm,
    opts.clipMin,
    opts.clipMax,
    opts.threads ?? 1,
  ]);
  const list = kept.get(owner) ?? [];
  kept.set(owner, list);
  let entry = list.find((e) => e.key === key);
  if (entry) list.splice(list.indexOf(entry), 1);
  else {
    entry = { key, session: stepSession(target, opts), users: 0 };
    // a failed build must not stay cached
    entry.session.catch(() => {
      const k = list.indexOf(entry as Entry);
      if (k >= 0) list.splice(k, 1);
    });
  }
  list.push(entry);
  entry.users++;
  const evicted: Entry[] = [];
  for (let k = 0; list.length > KEEP && k < list.length;)
    if ((list[k] as Entry).users === 0) evicted.push(...list.splice(k, 1));
    else k++;
  await Promise.all(evicted.map(closeEntry));
  const mine = entry;
  let session: StepSession;
  try {
    session = await mine.session;
  } catch (e) {
    mine.users--;
    throw e;
  }
  return {
    session,
    async release() {
      mine.users--;
      if (mine.users === 0 && !list.includes(mine)) await closeEntry(mine);
    },
  };
}

async function closeEntry(e: Entry): Promise<void> {
  await (await e.session.catch(() => undefined))?.close();
}

/** Closes every step session kept for `target` (white-box targets call it from their close). */
export async function releaseStepSessions(target: AttackTarget): Promise<void> {
  const list = kept.get(target) ?? [];
  kept.delete(target);
  await Promise.all(list.map(closeEntry));
}

/** How many step sessions are kept for `target` (for tests and diagnostics). */
export function keptStepSessions(target: AttackTarget): number {
  return kept.get(target)?.length ?? 0;
}

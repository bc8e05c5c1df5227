import { z } from 'zod';
import { SeveritySchema, isWardenError } from '../core/index.js';
import { ChatTarget } from './client.js';
import { redteamError } from './errors.js';
import { generateProbes } from './generate.js';
import { judge } from './judges/index.js';
import { makePlant } from './plant.js';
import { buildRedteamReport, type RedteamReport } from './report.js';
import { CATEGORIES, type ProbeMessage, type Plant, type Probe, type ProbeResult } from './types.js';

/** Options of a red-team run, validated at the edge (CLI flags and library callers land here). */
export const RedteamOptionsSchema = z.strictObject({
  target: z.string().min(1),
  model: z.string().min(1).max(256).default('default'),
  suites: z
    .array(z.enum(CATEGORIES))
    .min(1)
    .default([...CATEGORIES]),
  /** The operator's system prompt; the run appends its planted values (canary, key, customers). */
  systemPrompt: z.string().min(1).max(65_536).optional(),
  turns: z.number().int().min(2).max(10).default(3),
  concurrency: z.number().int().min(1).max(64).default(4),
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  maxPerFamily: z.number().int().positive().optional(),
  stream: z.boolean().default(false),
  apiKey: z.string().min(1).optional(),
  retries: z.number().int().min(0).max(10).default(3),
  failOn: SeveritySchema.default('high'),
});
export type RedteamOptions = z.input<typeof RedteamOptionsSchema>;
type Settings = z.infer<typeof RedteamOptionsSchema>;

/** Progress callbacks of a run. */
export interface RedteamHooks {
  onProbe?(done: number, total: number, result: ProbeResult): void;
}

const cut = (s: string, n = 400): string => (s.length > n ? `${s.slice(0, n)}...` : s);

function textOf(turns: ProbeMessage[][]): string {
  return turns
    .flat()
    .map((m) => m.content ?? '')
    .join('\n');
}

/** Sends one probe turn by turn (each turn sees the earlier replies) and judges the last reply. */
export async function runProbe(target: ChatTarget, probe: Probe, plant: Plant): Promise<ProbeResult> {
  const messages: ProbeMessage[] = [{ role: 'system', content: plant.systemPrompt }];
  const head = {
    id: probe.id,
    category: probe.category,
    family: probe.family,
    technique: probe.technique,
    goal: probe.goal,
  };
  const lastUser = [...probe.turns.flat()].reverse().find((m) => m.role === 'user')?.content ?? '';
  const t0 = performance.now();
  let turn = 0;
  try {
    for (const t of probe.turns) {
      turn++;
      messages.push(...t);
      const reply = await target.send(messages);
      const ms = Math.round(performance.now() - t0);
      if (reply.status === 'blocked')
        return {
          ...head,
          outcome: 'blocked',
          evidence: `target refused at turn ${turn}: ${reply.blockedBy ?? 'content filter'} (HTTP ${reply.httpStatus})`,
          verdicts: [],
          prompt: cut(lastUser),
          response: cut(reply.content),
          turns: turn,
          ms,
        };
      if (turn === probe.turns.length) {
        const v = judge({ probe, reply, plant, sent: textOf(probe.turns) });
        return {
          ...head,
          outcome: v.success ? 'success' : 'resisted',
          evidence: v.evidence,
          verdicts: v.verdicts,
          prompt: cut(lastUser),
          response: cut(reply.content),
          turns: turn,
          ms,
        };
      }
      messages.push({ role: 'assistant', content: reply.content });
    }
    throw new Error(`probe ${probe.id} has no turns`);
  } catch (e) {
    if (!isWardenError(e)) throw e;
    return {
      ...head,
      outcome: 'error',
      evidence: `${e.code}: ${e.message}`,
      verdicts: [],
      prompt: cut(lastUser),
      response: '',
      turns: turn,
      ms: Math.round(performance.now() - t0),
      error: { code: e.code, message: e.message },
    };
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function parseRedteamOptions(options: RedteamOptions): Settings {
  const parsed = RedteamOptionsSchema.safeParse(options);
  if (!parsed.success)
    throw redteamError('REDTEAM_OPTIONS_INVALID', `red-team options: ${z.prettifyError(parsed.error)}`, {
      kind: 'usage',
    });
  return parsed.data;
}

/**
 * A red-team run against an OpenAI-compatible endpoint: generate the probes, check the target answers at all
 * (a target that cannot be reached, times out or does not speak the API is a typed error before any probe
 * runs), send the probes with bounded concurrency, judge every reply, and report attack success rates.
 */
export async function runRedteam(options: RedteamOptions, hooks: RedteamHooks = {}): Promise<RedteamReport> {
  const s = parseRedteamOptions(options);
  const startedAt = new Date();
  const plant = makePlant(s.seed, s.systemPrompt);
  const probes = generateProbes({
    categories: s.suites,
    plant,
    turns: s.turns,
    seed: s.seed,
    ...(s.maxPerFamily ? { maxPerFamily: s.maxPerFamily } : {}),
  });
  const target = new ChatTarget({
    url: s.target,
    model: s.model,
    timeoutMs: s.timeoutMs,
    stream: s.stream,
    retries: s.retries,
    ...(s.apiKey ? { apiKey: s.apiKey } : {}),
  });
  await target.send([
    { role: 'system', content: plant.systemPrompt },
    { role: 'user', content: 'Hello! What can you help me with?' },
  ]);
  const t0 = performance.now();
  let done = 0;
  const results = await pool(probes, s.concurrency, async (p) => {
    const r = await runProbe(target, p, plant);
    hooks.onProbe?.(++done, probes.length, r);
    return r;
  });
  return buildRedteamReport({
    settings: { ...s, endpoint: target.endpoint, failOn: s.failOn },
    plant,
    results,
    startedAt,
    durationMs: performance.now() - t0,
  });
}

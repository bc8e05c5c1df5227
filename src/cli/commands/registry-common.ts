import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { WardenError } from '../../core/index.js';
import type * as R from '../../registry/index.js';

// Helpers shared by the `warden registry` subcommands (registry.ts and registry-view.ts).

/** Flags every registry command takes. */
export interface Common {
  store?: string;
  json?: boolean;
  as?: string;
}

/** The store: --store, else $WARDEN_STORE, else a SQLite file under the working directory. */
export function storeUrl(flag: string | undefined): string {
  return flag || process.env.WARDEN_STORE || `sqlite:${resolve('.warden', 'warden.db')}`;
}

export const actor = (f: Common): string => f.as ?? `cli:${safeUser()}`;
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export const usage = (msg: string) => new WardenError('USAGE', msg, { kind: 'usage' });

export async function withRegistry<T>(
  f: Common,
  fn: (reg: R.Registry, lib: typeof R) => Promise<T>,
): Promise<T> {
  const lib = await import('../../registry/index.js');
  const reg = await lib.Registry.open(storeUrl(f.store));
  try {
    return await fn(reg, lib);
  } finally {
    await reg.close();
  }
}

export const print = (f: Common, value: unknown, text: () => string): void => {
  process.stdout.write(f.json ? `${JSON.stringify(value, null, 2)}\n` : text());
};

export function readBounded(path: string, max: number, what: string): string {
  try {
    if (path === '-') {
      const buf = readFileSync(0);
      if (buf.length > max) throw usage(`${what} on standard input is larger than ${max} bytes`);
      return buf.toString('utf8');
    }
    if (statSync(path).size > max)
      throw new WardenError('LIMIT_EXCEEDED', `${what} ${path} is larger than ${max} bytes`, {
        kind: 'limit',
      });
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof WardenError) throw e;
    throw new WardenError('NOT_FOUND', `cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function meta(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw usage(`--meta takes key=value, got "${p}"`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );
}

export const common = (c: Command): Command =>
  c
    .option(
      '--store <url>',
      'registry store: sqlite:PATH or postgres://... (default $WARDEN_STORE or sqlite:.warden/warden.db)',
    )
    .option('--json', 'print JSON');
export const page = (c: Command): Command =>
  c.option('--limit <n>', 'rows per page (default 50, at most 1000)').option('--offset <n>', 'rows to skip');

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.js';

// The dashboard against what `warden demo` leaves serving: its store, its gateway, its traffic.
const SHOTS = join(ROOT, 'test-output', 'dashboard');
let dir: string;
let demo: ChildProcess;
let url: string;
let key: string;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-dashboard-demo-'));
  mkdirSync(SHOTS, { recursive: true });
  demo = spawn(
    process.execPath,
    [join(ROOT, 'dist/cli/main.js'), 'demo', '--quick', '--dir', join(dir, 'demo')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  demo.stderr!.resume();
  await new Promise<void>((resolve, reject) => {
    let out = '';
    demo.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Dashboard: (http:\/\/\S+)\/ui .*?(wdn_[\w-]+)/.exec(out);
      if (m) {
        url = m[1]!;
        key = m[2]!;
        resolve();
      }
    });
    demo.once('exit', (c) => reject(new Error(`warden demo exited with ${c}: ${out}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null)
    await new Promise<void>((r) => {
      demo.once('exit', () => r());
      demo.kill('SIGINT');
    });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard over the demo', () => {
  it('every page of the demo admin is ready, with inked charts and no browser error', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.addInitScript(`sessionStorage.setItem('warden.token', ${JSON.stringify(key)})`);
    const want: Record<string, string[]> = {
      robustness: ['robust-accuracy'],
      privacy: ['epsilon', 'roc'],
      gateway: ['timeline', 'latency', 'denied'],
      guard: ['detectors'],
    };
    for (const name of [
      'overview',
      'models',
      'scans',
      'robustness',
      'privacy',
      'gateway',
      'guard',
      'audit',
    ]) {
      await page.goto(`${url}/ui/#/${name}`);
      await page.waitForSelector(`[data-view=${name}]:not([data-state=loading])`);
      expect(await page.getAttribute(`[data-view=${name}]`, 'data-state'), name).toBe('ready');
      const inked = await page.evaluate<string[]>(`[...document.querySelectorAll('[data-chart] canvas')]
        .filter((c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })
        .map((c) => c.closest('[data-chart]').dataset.chart)`);
      for (const c of want[name] ?? []) expect(inked, `${name}: ${c}`).toContain(c);
      await page.screenshot({ path: join(SHOTS, `demo-${name}.png`), fullPage: true });
    }
    // what the demo did shows up: the thief's extraction alarm and the guard's blocks
    await page.goto(`${url}/ui/#/gateway`);
    await page.waitForSelector('[data-view=gateway][data-state=ready]');
    expect(await page.textContent('[data-alarms]')).toContain('extraction.alarm');
    expect(errors).toEqual([]);
    await page.close();
  });
});

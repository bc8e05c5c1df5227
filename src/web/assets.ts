import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One static file of the single-page app, read once at start-up. */
export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The app's own files (ui/ at the package root, beside dist/ and src/) and uPlot from node_modules. */
const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/**
 * Every file the dashboard serves, by URL path under /ui: a fixed table built at start-up, so a request
 * path is looked up, never joined to a directory (no traversal), and nothing is fetched from a CDN.
 */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (TYPES[extname(e.name)])
        out.set(`${prefix}${e.name}`, {
          body: readFileSync(join(dir, e.name)),
          type: TYPES[extname(e.name)]!,
        });
    }
  };
  walk(UI_DIR, '/ui/');
  const require = createRequire(import.meta.url);
  out.set('/ui/vendor/uPlot.iife.min.js', {
    body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')),
    type: TYPES['.js']!,
  });
  out.set('/ui/vendor/uPlot.min.css', {
    body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')),
    type: TYPES['.css']!,
  });
  const index = out.get('/ui/index.html');
  if (index) out.set('/ui/', index);
  return out;
}

/**
 * Strict policy: scripts and styles only from the app's own origin (no inline script, no eval), data only
 * from its own API, images from canvases (data:/blob:), and no framing.
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

import { readFileSync } from 'node:fs';

function readVersion(): string {
  // dist/core/version.js and src/core/version.ts both sit two levels below package.json
  const url = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export const VERSION: string = readVersion();

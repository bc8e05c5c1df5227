import type { ExitCode } from '../exit.js';

// placeholder until the sample generator lands
export function runDemo(_flags: { dir?: string; format: string }): Promise<ExitCode> {
  return Promise.resolve(0);
}

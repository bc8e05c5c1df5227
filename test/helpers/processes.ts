import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/helpers/processes.ts). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A child process started by a test, and the http URL it printed. */
export interface Started {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `node SCRIPT ARGS` and waits for the first `http://...` URL on its standard output (the examples print
 * where they listen). Rejects if the process exits first or prints nothing within `timeoutMs`.
 */
export function startNode(script: string, args: string[] = [], timeoutMs = 20_000): Promise<Started> {
  const child = spawn(process.execPath, [join(ROOT, script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no URL within ${timeoutMs} ms: ${out}${err}`));
    }, timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /https?:\/\/[^\s]+/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[0],
        child,
        stop: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening: ${out}${err}`));
    });
  });
}

/** Starts the vulnerable-assistant test target on an ephemeral port; resolves with its `/v1` base URL. */
export function startVulnerableAssistant(args: string[] = []): Promise<Started> {
  return startNode('examples/vulnerable-assistant/server.mjs', ['--port', '0', ...args]);
}

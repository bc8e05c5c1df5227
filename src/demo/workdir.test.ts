import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { MARKER, freshWorkDir } from './workdir.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-demo-workdir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('freshWorkDir', () => {
  it('creates a missing folder with the marker', () => {
    const dir = join(tmp, 'new', 'nested');
    freshWorkDir(dir);
    expect(readdirSync(dir)).toEqual([MARKER]);
  });

  it("clears a previous demo's folder", () => {
    const dir = join(tmp, 'again');
    freshWorkDir(dir);
    writeFileSync(join(dir, 'old.onnx'), 'x');
    freshWorkDir(dir);
    expect(readdirSync(dir)).toEqual([MARKER]);
  });

  it('refuses a non-empty folder it did not make, and leaves it alone', () => {
    const dir = join(tmp, 'user');
    mkdirSync(dir);
    writeFileSync(join(dir, 'precious.txt'), 'keep');
    let err: unknown;
    try {
      freshWorkDir(dir);
    } catch (e) {
      err = e;
    }
    expect(isWardenError(err) && err.kind === 'usage').toBe(true);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });
});

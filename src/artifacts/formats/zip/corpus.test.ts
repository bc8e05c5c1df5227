import { openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeast } from '../../../core/index.js';
import { scanFile } from '../../scan/engine.js';

/** One labels.json entry of the conformance corpus (see test/fixtures/corpus/README.md). */
interface Label {
  malicious: boolean;
  category: string;
  format: string;
}

const ROOT = join(import.meta.dirname, '../../../../test/fixtures/corpus');
const FORMATS = new Set(['zip', 'pytorch-zip', 'numpy', '7z']);

function head(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Corpus files this folder's scanners handle: archives, arrays, and anything that starts as a zip. */
function cases(): Array<[string, Label]> {
  const out: Array<[string, Label]> = [];
  for (const dir of ['picklescan', 'modelscan', 'modelaudit']) {
    const labels = JSON.parse(readFileSync(join(ROOT, dir, 'labels.json'), 'utf8')) as Record<string, Label>;
    for (const [rel, label] of Object.entries(labels)) {
      const path = join(ROOT, dir, rel);
      if (FORMATS.has(label.format) || head(path).subarray(0, 2).toString('latin1') === 'PK')
        out.push([`${dir}/${rel}`, label]);
    }
  }
  return out;
}

describe('corpus: archives and arrays through scanFile', () => {
  const all = cases();

  it('covers the archive and array files of the corpus', () => {
    expect(all.length).toBeGreaterThanOrEqual(24);
  });

  it.each(all)('%s', async (rel, label) => {
    const r = await scanFile(join(ROOT, rel));
    const blocking = r.findings.filter((f) => atLeast(f.severity, 'high'));
    if (label.malicious) expect(blocking.map((f) => f.id)).not.toEqual([]);
    else if (label.category === 'benign') {
      expect(blocking).toEqual([]);
      expect(r.item.error).toBeUndefined();
    } else expect(r.item.status).not.toBe('skipped');
  });

  it('names the mechanism on the archive-specific samples', async () => {
    const ids = async (rel: string): Promise<string[]> =>
      (await scanFile(join(ROOT, rel))).findings.map((f) => `${f.id}:${f.severity}`);
    expect(await ids('modelaudit/samples/archives/path_traversal.zip')).toContain('zip.path-traversal:high');
    expect(await ids('picklescan/data/malicious1.7z')).toEqual(['archive.unscannable:high']);
    expect(await ids('picklescan/data/benign_password_protected.zip')).toEqual([
      'zip.encrypted-member:medium',
    ]);
    expect(await ids('modelscan/data/password_protected.zip')).toEqual(['zip.encrypted-member:medium']);
    expect(await ids('picklescan/data/malicious1_central_directory.zip')).toContain(
      'zip.header-mismatch:medium',
    );
  });

  it('reads only data.pkl of a torch zip and dispatches npz members to the npy scanner', async () => {
    const torch = await scanFile(join(ROOT, 'picklescan/data/new_pytorch_model.bin'));
    expect(torch.metrics['zip_storages_skipped']).toBe(1);
    const npz = await scanFile(join(ROOT, 'picklescan/data2/int_arrays_compressed.npz'));
    expect(npz.metrics['npy_arrays']).toBe(2);
    expect(npz.item.status).toBe('clean');
    const obj = await scanFile(join(ROOT, 'picklescan/data2/object_arrays_compressed.npz'));
    expect(obj.metrics['npy_object_arrays']).toBe(2);
  });
});

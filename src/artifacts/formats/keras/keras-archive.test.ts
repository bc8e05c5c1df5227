import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBytes } from '../../scan/engine.js';
import { buildZip } from '../zip/testing.js';

// A Keras 3 `.keras` file is a zip of config.json, metadata.json and model.weights.h5; the zip
// scanner hands each member to detection, so the JSON and HDF5 scanners see them.
const DATA = join(import.meta.dirname, 'testdata');
const marshalled = Buffer.from([
  0xe3,
  0,
  0,
  0,
  0x5a,
  0x02,
  0x6f,
  0x73,
  0x5a,
  0x06,
  ...Buffer.from('system'),
]).toString('base64');

function kerasFile(layers: unknown[]): Buffer {
  const config = {
    module: 'keras',
    class_name: 'Sequential',
    config: { name: 'sequential', layers },
    registered_name: null,
  };
  return buildZip([
    {
      name: 'metadata.json',
      data: JSON.stringify({ keras_version: '3.6.0', date_saved: '2024-10-01@12:00:00' }),
    },
    { name: 'config.json', data: JSON.stringify(config), method: 8 },
    { name: 'model.weights.h5', data: readFileSync(join(DATA, 'plain.h5')) },
  ]);
}

const dense = {
  module: 'keras.layers',
  class_name: 'Dense',
  config: { name: 'd', units: 2 },
  registered_name: null,
};

describe('.keras archives', () => {
  it('passes a plain model', async () => {
    const r = await scanBytes('model.keras', kerasFile([dense]));
    expect(r.findings).toEqual([]);
    expect(r.item.error).toBeUndefined();
  });

  it('flags a Lambda layer in config.json', async () => {
    const lambda = {
      module: 'keras.layers',
      class_name: 'Lambda',
      config: { name: 'l', function: { class_name: '__lambda__', config: { code: marshalled } } },
      registered_name: null,
    };
    const r = await scanBytes('model.keras', kerasFile([dense, lambda]));
    const f = r.findings.find((x) => x.id === 'keras.lambda-layer');
    expect(f?.severity).toBe('critical');
    expect(f?.location?.member).toBe('config.json');
  });
});

import { describe, expect, it } from 'vitest';
import type { FindingInput } from '../../scan/types.js';
import { scanBytes } from '../../scan/engine.js';
import { checkKerasConfig, inspectLambdaFunction, looksLikeKerasConfig } from './config.js';

function run(config: unknown): string[] {
  const got: FindingInput[] = [];
  checkKerasConfig({ emit: (f) => got.push(f) }, config, { where: 'test' });
  return got.map((f) => `${f.id}:${f.severity}`);
}

const marshalLambda = Buffer.concat([
  Buffer.from([0xe3, 0, 0, 0]),
  Buffer.from('\x00eval\x00os\x00system'),
]).toString('base64');

function keras3(layers: unknown[]): Record<string, unknown> {
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: { name: 'seq', layers },
    registered_name: null,
  };
}

const dense = {
  module: 'keras.layers',
  class_name: 'Dense',
  config: {
    name: 'dense',
    units: 4,
    activation: 'relu',
    kernel_initializer: {
      module: 'keras.initializers',
      class_name: 'GlorotUniform',
      config: {},
      registered_name: null,
    },
    dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null },
  },
  registered_name: null,
};

describe('Keras config rules', () => {
  it('recognises serialised Keras objects', () => {
    expect(looksLikeKerasConfig(keras3([]))).toBe(true);
    expect(looksLikeKerasConfig({ class_name: 'x' })).toBe(false);
    expect(looksLikeKerasConfig([1])).toBe(false);
  });

  it('passes a plain Keras 3 model', () => {
    expect(run(keras3([dense]))).toEqual([]);
  });

  it('flags a Keras 3 Lambda with marshalled code as critical', () => {
    const lambda = {
      module: 'keras.layers',
      class_name: 'Lambda',
      config: {
        name: 'lam',
        function: {
          class_name: '__lambda__',
          config: { code: marshalLambda, defaults: null, closure: null },
        },
      },
      registered_name: null,
    };
    expect(run(keras3([dense, lambda]))).toEqual(['keras.lambda-layer:critical']);
    const info = inspectLambdaFunction(lambda.config.function);
    expect(info.bytecode).toBe(true);
    expect(info.names).toEqual(expect.arrayContaining(['eval', 'os', 'system']));
  });

  it('flags an innocuous Lambda as high', () => {
    const lambda = { class_name: 'Lambda', config: { name: 'l', function: 'lambda x: x * 2' } };
    expect(run({ class_name: 'Functional', config: { layers: [lambda] } })).toEqual([
      'keras.lambda-layer:high',
    ]);
  });

  it('flags modules outside Keras and custom registered objects', () => {
    const custom = {
      module: 'my_pkg.layers',
      class_name: 'Fancy',
      config: {},
      registered_name: 'MyPkg>Fancy',
    };
    const registered = {
      module: 'keras.layers',
      class_name: 'Fancy',
      config: {},
      registered_name: 'MyPkg>Fancy',
    };
    const hub = {
      module: 'keras_hub.src.models',
      class_name: 'Backbone',
      config: {},
      registered_name: 'keras_hub>Backbone',
    };
    const builtinEval = {
      module: 'builtins',
      class_name: 'function',
      config: 'eval',
      registered_name: 'function',
    };
    expect(run(keras3([custom, registered, hub, builtinEval]))).toEqual([
      'keras.custom-module:medium',
      'keras.custom-object:medium',
      'keras.dangerous-module:critical',
    ]);
  });

  it('caps repeated findings', () => {
    const layers = Array.from({ length: 50 }, (_, i) => ({
      class_name: 'Lambda',
      config: { name: `l${i}`, function: 'x' },
    }));
    const found = run({ class_name: 'Sequential', config: { layers } });
    expect(found.length).toBe(21);
  });
});

describe('Keras config through the JSON scanner (.keras config.json)', () => {
  it('flags a Lambda in config.json', async () => {
    const cfg = keras3([
      { class_name: 'Lambda', config: { name: 'l', function: 'lambda x: __import__("os").system("id")' } },
    ]);
    const r = await scanBytes('config.json', Buffer.from(JSON.stringify(cfg)));
    expect(r.item.format).toBe('json');
    expect(r.findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['keras.lambda-layer:critical']);
  });

  it('passes a plain config.json and metadata.json', async () => {
    let r = await scanBytes('config.json', Buffer.from(JSON.stringify(keras3([dense]))));
    expect(r.item.status).toBe('clean');
    r = await scanBytes(
      'metadata.json',
      Buffer.from('{"keras_version": "3.5.0", "date_saved": "2024-01-01@00:00:00"}'),
    );
    expect(r.item.status).toBe('clean');
  });
});

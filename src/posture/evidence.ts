import { postureError } from './errors.js';
import { Project, type ProjectFile } from './project.js';

/** What a piece of evidence shows. */
export type EvidenceKind =
  'robustness' | 'poisoning' | 'privacy' | 'fairness' | 'provenance' | 'scan' | 'redteam' | 'other';

/** A JSON document found in the project or the store that evidences a checklist item. */
export interface EvidenceFile {
  /** Where it was found: `project:path` or `store:path`. */
  where: string;
  kinds: EvidenceKind[];
  /** The Warden report kind and verdict when it is one. */
  warden?: { kind: string; verdict?: string };
  summary: string;
}

const MAX_EVIDENCE_BYTES = 4 << 20;

// Keys that mark a JSON document as evidence of a kind, for reports Warden does not write as a core Report
// (`warden attack --json`, `warden dp epsilon --json`) and for other tools' output.
const KEY_RULES: [EvidenceKind, RegExp][] = [
  ['robustness', /^(robustaccuracy|robust_accuracy|adversarialaccuracy|certifiedradius|attacksuccessrate)$/i],
  ['poisoning', /poison|spectral_?signature|activation_?clustering|backdoor/i],
  ['privacy', /^(epsilon|noisemultiplier|noise_multiplier|dp_epsilon|membershipauc|membership_auc)$/i],
  ['fairness', /demographic_?parity|equali[sz]ed_?odds|equal_?opportunity|disparate_?impact/i],
  ['provenance', /^(predicatetype|builddefinition)$/i],
];

const KIND_RULES: [EvidenceKind, RegExp][] = [
  ['robustness', /attack|robust|certif|adversarial/i],
  ['poisoning', /poison/i],
  ['privacy', /^dp|privacy|membership/i],
  ['fairness', /fair/i],
  ['provenance', /provenance|lineage|verify|sign/i],
  ['scan', /^scan$/i],
  ['redteam', /redteam/i],
];

function keysOf(doc: unknown, max = 2000): string[] {
  const out: string[] = [];
  const stack: { v: unknown; d: number }[] = [{ v: doc, d: 0 }];
  while (stack.length && out.length < max) {
    const { v, d } = stack.pop() as { v: unknown; d: number };
    if (d > 6 || typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) v.slice(0, 50).forEach((x) => stack.push({ v: x, d: d + 1 }));
    else
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        stack.push({ v: x, d: d + 1 });
      }
  }
  return out;
}

/** Classifies one JSON document; undefined when it evidences nothing on the checklist. */
export function classifyEvidence(doc: unknown, where: string): EvidenceFile | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const kinds = new Set<EvidenceKind>();
  const d = doc as { kind?: unknown; tool?: { name?: unknown }; verdict?: unknown };
  let warden: EvidenceFile['warden'];
  if (d.tool?.name === 'warden' && typeof d.kind === 'string') {
    warden = { kind: d.kind, ...(typeof d.verdict === 'string' ? { verdict: d.verdict } : {}) };
    for (const [k, re] of KIND_RULES) if (re.test(d.kind)) kinds.add(k);
  }
  // JSON Schemas describe fields, they do not report them
  const schema =
    typeof (doc as { $schema?: unknown }).$schema === 'string' &&
    /json-schema/.test(String((doc as { $schema?: unknown }).$schema));
  const keys = schema ? [] : keysOf(doc);
  for (const [k, re] of KEY_RULES) if (keys.some((key) => re.test(key))) kinds.add(k);
  if (!schema && typeof doc === 'object' && 'provenance' in doc) kinds.add('provenance');
  if (kinds.size === 0) return undefined;
  const list = [...kinds].sort();
  const summary = warden
    ? `Warden ${warden.kind} report${warden.verdict ? ` (verdict ${warden.verdict})` : ''}`
    : `JSON with ${list.join(', ')} fields`;
  return { where, kinds: list, ...(warden ? { warden } : {}), summary };
}

function fromFiles(project: Project, files: ProjectFile[], prefix: string): EvidenceFile[] {
  const out: EvidenceFile[] = [];
  for (const f of files) {
    if (f.size > MAX_EVIDENCE_BYTES) continue;
    const text = project.readText(f, MAX_EVIDENCE_BYTES);
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      continue; // not JSON: not evidence
    }
    const e = classifyEvidence(doc, `${prefix}:${f.rel}`);
    if (e) out.push(e);
  }
  return out;
}

const JSON_RE = /\.(json|sarif)$/i;
// JSON that is configuration or package metadata, never evidence
const NOT_EVIDENCE =
  /(^|\/)(package(-lock)?\.json|tsconfig[^/]*\.json|Pipfile\.lock|composer\.json|\.eslintrc[^/]*|[^/]*\.schema\.json)$/i;

/** Evidence files of a project. */
export function projectEvidence(project: Project): EvidenceFile[] {
  return fromFiles(
    project,
    project.files.filter((f) => JSON_RE.test(f.rel) && !NOT_EVIDENCE.test(f.rel)),
    'project',
  );
}

/** Evidence pieces read from a registry store: a store with more needs a narrower check, not a slower one. */
const MAX_STORE_EVIDENCE = 5000;

/**
 * Evidence in a Warden store: a registry database (`sqlite:`, `postgres://`), whose every model version's
 * evidence reports are read through the registry, or a folder (or `file:` URL) of report JSON files.
 */
export async function storeEvidence(url: string): Promise<EvidenceFile[]> {
  if (/^(sqlite|postgres(ql)?):/i.test(url)) return registryEvidence(url);
  return folderEvidence(url);
}

async function registryEvidence(url: string): Promise<EvidenceFile[]> {
  const { Registry } = await import('../registry/index.js');
  let reg: Awaited<ReturnType<typeof Registry.open>>;
  try {
    reg = await Registry.open(url);
  } catch (e) {
    throw postureError('POSTURE_STORE_INVALID', `--store: ${(e as Error).message}`, { cause: e });
  }
  const out: EvidenceFile[] = [];
  let read = 0;
  try {
    for (const m of await everyPage((offset) => reg.listModels({ limit: 1000, offset }))) {
      for (const v of await everyPage((offset) => reg.listVersions(m.name, { limit: 1000, offset }))) {
        const ref = `${m.name}@${v.version}`;
        for (const e of (await reg.show(ref)).evidence) {
          if (++read > MAX_STORE_EVIDENCE)
            throw postureError(
              'POSTURE_STORE_INVALID',
              `the store holds more than ${MAX_STORE_EVIDENCE} evidence reports: check a narrower store`,
            );
          const found = classifyEvidence(await reg.evidenceReport(ref, e.id), `store:${ref}#${e.id}`);
          if (found) out.push(found);
        }
      }
    }
  } finally {
    await reg.close();
  }
  return out;
}

async function everyPage<T>(page: (offset: number) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (;;) {
    const rows = await page(all.length);
    all.push(...rows);
    if (rows.length < 1000 || all.length > MAX_STORE_EVIDENCE) return all;
  }
}

function folderEvidence(url: string): EvidenceFile[] {
  let dir = url;
  if (/^file:/i.test(url)) {
    try {
      dir = decodeURIComponent(new URL(url).pathname);
    } catch (e) {
      throw postureError('POSTURE_STORE_INVALID', `--store ${url} is not a valid file: URL`, {
        cause: e,
        kind: 'usage',
      });
    }
  }
  let store: Project;
  try {
    store = new Project(dir, { maxFiles: 50_000, maxDepth: 8 });
  } catch (e) {
    throw postureError('POSTURE_STORE_INVALID', `--store ${url}: ${(e as Error).message}`, { cause: e });
  }
  return fromFiles(
    store,
    store.files.filter((f) => JSON_RE.test(f.rel)),
    'store',
  );
}

/**
 * Offline reading of Python dependency declarations: requirements files, Pipfile.lock, poetry.lock, uv.lock and
 * pyproject.toml. Parsers are total and bounded: bad input becomes an entry in `errors`, never an exception.
 */

export type DepSource = 'index' | 'vcs' | 'url' | 'path';

/** One declared dependency. */
export interface Dependency {
  name: string;
  /** The version specifier as written (`==1.2.3`, `>=2`, '' when none). */
  spec: string;
  pinned: boolean;
  hashed: boolean;
  source: DepSource;
  file: string;
  line: number;
}

export type SourceIssueKind =
  'extra-index' | 'custom-index' | 'trusted-host' | 'find-links' | 'insecure-http' | 'vcs' | 'url' | 'path';

/** A place where packages come from somewhere other than the default index over HTTPS. */
export interface SourceIssue {
  kind: SourceIssueKind;
  detail: string;
  file: string;
  line: number;
}

export type DepFileKind =
  'requirements' | 'requirements-in' | 'pipfile.lock' | 'poetry.lock' | 'uv.lock' | 'pyproject';

export interface DependencyFile {
  file: string;
  kind: DepFileKind;
  /** Lock files pin everything they list. */
  locked: boolean;
  deps: number;
}

export interface DependencyScan {
  files: DependencyFile[];
  deps: Dependency[];
  issues: SourceIssue[];
  errors: { file: string; message: string }[];
}

const MAX_LINES = 50_000;
const DEFAULT_INDEXES = new Set([
  'https://pypi.org/simple',
  'https://pypi.python.org/simple',
  'https://pypi.org/pypi',
]);

export function isDefaultIndex(url: string): boolean {
  return DEFAULT_INDEXES.has(url.trim().replace(/\/+$/, ''));
}

/** Which dependency file a relative path is, if any. */
export function dependencyFileKind(rel: string): DepFileKind | undefined {
  const base = rel.split('/').pop() ?? '';
  if (base === 'Pipfile.lock') return 'pipfile.lock';
  if (base === 'poetry.lock') return 'poetry.lock';
  if (base === 'uv.lock') return 'uv.lock';
  if (base === 'pyproject.toml') return 'pyproject';
  if (/^(requirements|constraints)[\w.-]*\.in$/i.test(base)) return 'requirements-in';
  if (
    /^(requirements|constraints)[\w.-]*\.txt$/i.test(base) ||
    /(^|\/)requirements\/[\w.-]+\.txt$/i.test(rel)
  )
    return 'requirements';
  return undefined;
}

function sourceOfUrl(url: string): DepSource {
  if (/^(git|hg|svn|bzr)\+/i.test(url)) return 'vcs';
  if (/^file:/i.test(url) || /^(\.{1,2}\/|\/)/.test(url)) return 'path';
  return 'url';
}

function issueForSource(
  source: DepSource,
  detail: string,
  file: string,
  line: number,
): SourceIssue | undefined {
  if (source === 'index') return undefined;
  return { kind: source, detail, file, line };
}

function httpIssue(url: string, file: string, line: number): SourceIssue | undefined {
  return /(^|\+)http:\/\//i.test(url) ? { kind: 'insecure-http', detail: url, file, line } : undefined;
}

const OPTION_WITH_VALUE =
  /^(-i|--index-url|--extra-index-url|--trusted-host|-f|--find-links|-r|--requirement|-c|--constraint|-e|--editable)(?:[= ]\s*|\s+)(\S+)/;

/** A requirements file (pip syntax): options, PEP 508 requirements, URLs, editables, hashes. */
export function parseRequirements(text: string, file: string, out: DependencyScan): number {
  const raw = text.split(/\r?\n/).slice(0, MAX_LINES);
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let line = raw[i] ?? '';
    while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + ' ' + (raw[++i] ?? '');
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const opt = OPTION_WITH_VALUE.exec(line);
    if (opt) {
      const [, flag, value = ''] = opt;
      const push = (x: SourceIssue | undefined): void => void (x && out.issues.push(x));
      if (flag === '-i' || flag === '--index-url') {
        if (!isDefaultIndex(value)) push({ kind: 'custom-index', detail: value, file, line: lineNo });
        push(httpIssue(value, file, lineNo));
      } else if (flag === '--extra-index-url') {
        push({ kind: 'extra-index', detail: value, file, line: lineNo });
        push(httpIssue(value, file, lineNo));
      } else if (flag === '--trusted-host') push({ kind: 'trusted-host', detail: value, file, line: lineNo });
      else if (flag === '-f' || flag === '--find-links') {
        push({ kind: 'find-links', detail: value, file, line: lineNo });
        push(httpIssue(value, file, lineNo));
      } else if (flag === '-e' || flag === '--editable') {
        const source = sourceOfUrl(value);
        push(issueForSource(source, `editable ${value}`, file, lineNo));
        out.deps.push({ name: value, spec: '', pinned: false, hashed: false, source, file, line: lineNo });
        count++;
      }
      continue;
    }
    if (line.startsWith('-')) continue; // other pip options (--pre, --only-binary ...)
    const hashed = /--hash[= ]\s*\w+:[0-9a-f]+/i.test(line);
    const req = line.replace(/\s--\S+.*$/, '').trim();
    const at = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*@\s*(\S+)/.exec(req);
    if (at || /^(\w+\+)?[a-z]+:\/\//i.test(req) || /^(\.{1,2}\/|\/)/.test(req)) {
      const url = at ? (at[3] ?? '') : req;
      const source = sourceOfUrl(url);
      const name = at?.[1] ?? /#egg=([\w.-]+)/.exec(url)?.[1] ?? url;
      out.deps.push({ name, spec: `@ ${url}`, pinned: false, hashed, source, file, line: lineNo });
      const issue = issueForSource(source, url, file, lineNo);
      if (issue) out.issues.push(issue);
      const http = httpIssue(url, file, lineNo);
      if (http) out.issues.push(http);
      count++;
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)/.exec(req);
    if (!m) {
      out.errors.push({ file, message: `line ${lineNo}: not a requirement: ${line.slice(0, 80)}` });
      continue;
    }
    const spec = (m[3] ?? '').trim().replace(/^\(|\)$/g, '');
    const pinned = /^===?\s*[^\s,*;]+$/.test(spec);
    out.deps.push({ name: m[1] ?? '', spec, pinned, hashed, source: 'index', file, line: lineNo });
    count++;
  }
  return count;
}

/** Pipfile.lock: JSON with `_meta.sources` and `default` / `develop` package maps. */
export function parsePipfileLock(text: string, file: string, out: DependencyScan): number {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    out.errors.push({ file, message: `not JSON: ${(e as Error).message}` });
    return 0;
  }
  if (typeof doc !== 'object' || doc === null) {
    out.errors.push({ file, message: 'not a JSON object' });
    return 0;
  }
  const d = doc as { _meta?: { sources?: unknown }; default?: unknown; develop?: unknown };
  const sources = Array.isArray(d._meta?.sources) ? (d._meta.sources as unknown[]) : [];
  for (const s of sources) {
    const url = typeof (s as { url?: unknown })?.url === 'string' ? (s as { url: string }).url : '';
    if (url && !isDefaultIndex(url)) out.issues.push({ kind: 'custom-index', detail: url, file, line: 1 });
    const http = httpIssue(url, file, 1);
    if (http) out.issues.push(http);
  }
  let count = 0;
  for (const group of [d.default, d.develop]) {
    if (typeof group !== 'object' || group === null) continue;
    for (const [name, v] of Object.entries(group as Record<string, unknown>).slice(0, MAX_LINES)) {
      const p = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
      const url = [p.git, p.file, p.path].find((x): x is string => typeof x === 'string');
      const source: DepSource =
        typeof p.git === 'string'
          ? 'vcs'
          : typeof p.path === 'string'
            ? 'path'
            : typeof p.file === 'string'
              ? sourceOfUrl(p.file)
              : 'index';
      const version = typeof p.version === 'string' ? p.version : '';
      const hashed = Array.isArray(p.hashes) && p.hashes.length > 0;
      out.deps.push({
        name,
        spec: version || (url ?? ''),
        pinned: source === 'index' && version.startsWith('=='),
        hashed,
        source,
        file,
        line: 1,
      });
      const issue = issueForSource(source, `${name}: ${url ?? ''}`, file, 1);
      if (issue) out.issues.push(issue);
      count++;
    }
  }
  return count;
}

/** poetry.lock and uv.lock: `[[package]]` tables with name, version and where the package comes from. */
export function parseTomlLock(
  text: string,
  file: string,
  kind: 'poetry.lock' | 'uv.lock',
  out: DependencyScan,
): number {
  const lines = text.split(/\r?\n/).slice(0, MAX_LINES * 4);
  let count = 0;
  let pkg: { name: string; version: string; line: number; inSource: boolean } | undefined;
  const str = (l: string, key: string): string | undefined =>
    new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`).exec(l)?.[1];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (/^\s*\[\[package\]\]\s*$/.test(l)) {
      pkg = { name: '', version: '', line: i + 1, inSource: false };
      count++;
      continue;
    }
    if (!pkg) continue;
    if (/^\s*\[/.test(l)) pkg.inSource = /^\s*\[package\.source\]\s*$/.test(l);
    const name = str(l, 'name');
    if (name !== undefined && !pkg.inSource && !pkg.name) {
      pkg.name = name;
      out.deps.push({ name, spec: '', pinned: true, hashed: false, source: 'index', file, line: i + 1 });
    }
    const version = str(l, 'version');
    if (version !== undefined && !pkg.inSource && !pkg.version) {
      pkg.version = version;
      const last = out.deps.at(-1);
      if (last && last.file === file && last.name === pkg.name) last.spec = `==${version}`;
    }
    // poetry: [package.source] type = "git" | "url" | "file" | "directory" | "legacy", url = "..."
    if (kind === 'poetry.lock' && pkg.inSource) {
      const type = str(l, 'type');
      if (type) {
        const url =
          lines
            .slice(i, i + 6)
            .map((x) => str(x, 'url'))
            .find((x) => x !== undefined) ?? '';
        markSource(
          pkg.name,
          type === 'git' ? 'vcs' : type === 'url' ? 'url' : type === 'legacy' ? 'index' : 'path',
          url,
          i + 1,
        );
        if (type === 'legacy' && url && !isDefaultIndex(url))
          out.issues.push({ kind: 'custom-index', detail: `${pkg.name}: ${url}`, file, line: i + 1 });
      }
    }
    // uv: source = { registry = "..." } | { git = "..." } | { url = "..." } | { path = "..." } | { editable = "." }
    const src =
      kind === 'uv.lock'
        ? /^\s*source\s*=\s*\{\s*(registry|git|url|path|directory|editable|virtual)\s*=\s*"([^"]*)"/.exec(l)
        : null;
    if (src) {
      const [, k = '', url = ''] = src;
      if (k === 'registry') {
        if (!isDefaultIndex(url))
          out.issues.push({ kind: 'custom-index', detail: `${pkg.name}: ${url}`, file, line: i + 1 });
      } else if (!((k === 'editable' || k === 'virtual') && url === '.')) {
        markSource(pkg.name, k === 'git' ? 'vcs' : k === 'url' ? 'url' : 'path', url, i + 1);
      }
    }
  }
  function markSource(name: string, source: DepSource, url: string, line: number): void {
    const dep = [...out.deps].reverse().find((d) => d.file === file && d.name === name);
    if (dep) {
      dep.source = source;
      dep.pinned = source === 'index';
    }
    const issue = issueForSource(source, `${name}: ${url}`, file, line);
    if (issue) out.issues.push(issue);
    const http = httpIssue(url, file, line);
    if (http) out.issues.push(http);
  }
  return count;
}

/** pyproject.toml: only where dependencies come from (direct URLs, VCS, extra indexes); pinning is the lock's job. */
export function parsePyproject(text: string, file: string, out: DependencyScan): number {
  const lines = text.split(/\r?\n/).slice(0, MAX_LINES);
  let inIndexTable = false;
  lines.forEach((l, i) => {
    if (/^\s*\[/.test(l)) inIndexTable = /^\s*\[\[tool\.(poetry\.source|uv\.index)\]\]\s*$/.test(l);
    for (const m of l.matchAll(/"([A-Za-z0-9][\w.-]*)\s*(?:\[[^\]]*\])?\s*@\s*([^"\s;]+)/g)) {
      const url = m[2] ?? '';
      const issue = issueForSource(sourceOfUrl(url), `${m[1] ?? ''} @ ${url}`, file, i + 1);
      if (issue) out.issues.push(issue);
    }
    const git = /^\s*([\w.-]+)\s*=\s*\{[^}]*\bgit\s*=\s*"([^"]+)"/.exec(l);
    if (git) out.issues.push({ kind: 'vcs', detail: `${git[1] ?? ''}: ${git[2] ?? ''}`, file, line: i + 1 });
    const url = inIndexTable ? /^\s*url\s*=\s*"([^"]+)"/.exec(l)?.[1] : undefined;
    if (url && !isDefaultIndex(url)) out.issues.push({ kind: 'extra-index', detail: url, file, line: i + 1 });
  });
  return 0;
}

/** Parses one dependency file into the scan. */
export function parseDependencyFile(
  kind: DepFileKind,
  text: string,
  file: string,
  out: DependencyScan,
): void {
  const n =
    kind === 'requirements' || kind === 'requirements-in'
      ? parseRequirements(text, file, out)
      : kind === 'pipfile.lock'
        ? parsePipfileLock(text, file, out)
        : kind === 'pyproject'
          ? parsePyproject(text, file, out)
          : parseTomlLock(text, file, kind, out);
  out.files.push({ file, kind, locked: kind.endsWith('.lock'), deps: n });
}

export function emptyScan(): DependencyScan {
  return { files: [], deps: [], issues: [], errors: [] };
}

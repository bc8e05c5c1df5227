import { registryError } from './errors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ALIAS = /^[a-z][a-z0-9_-]{0,63}$/;

/** How a version is named: the latest one, a version number, or an alias (`staging`, `production`). */
export type VersionSelector =
  { kind: 'latest' } | { kind: 'number'; version: number } | { kind: 'alias'; alias: string };

/** A parsed `NAME`, `NAME@3`, `NAME@v3`, `NAME@latest` or `NAME@production`. */
export interface VersionRef {
  name: string;
  selector: VersionSelector;
}

/** Model and data set names: letters, digits, `.`, `_`, `-`; no `@`, `/` or `:`, so refs and URLs stay unambiguous. */
export function checkName(name: string, what = 'model name'): string {
  if (!NAME.test(name))
    throw registryError(
      'REGISTRY_REF_INVALID',
      `${what} "${name}" must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  return name;
}

/** Alias names are lowercase words; `latest` and version-like names are reserved. */
export function checkAlias(alias: string): string {
  if (!ALIAS.test(alias) || alias === 'latest' || /^v\d+$/.test(alias))
    throw registryError(
      'REGISTRY_REF_INVALID',
      `alias "${alias}" must be a lowercase word (a-z, 0-9, _ or -, starting with a letter), not "latest" or vN`,
    );
  return alias;
}

export function parseVersionRef(ref: string): VersionRef {
  if (typeof ref !== 'string' || ref.length > 256)
    throw registryError('REGISTRY_REF_INVALID', 'a version reference is NAME, NAME@N or NAME@ALIAS');
  const at = ref.lastIndexOf('@');
  if (at < 0) return { name: checkName(ref), selector: { kind: 'latest' } };
  const name = checkName(ref.slice(0, at));
  const sel = ref.slice(at + 1);
  if (sel === 'latest') return { name, selector: { kind: 'latest' } };
  const m = /^v?(\d{1,9})$/.exec(sel);
  if (m) {
    const version = Number(m[1]);
    if (version < 1) throw registryError('REGISTRY_REF_INVALID', `version numbers start at 1 (got "${ref}")`);
    return { name, selector: { kind: 'number', version } };
  }
  return { name, selector: { kind: 'alias', alias: checkAlias(sel) } };
}

export function formatRef(name: string, version: number): string {
  return `${name}@${version}`;
}

/** A parsed data set reference: `NAME` (its newest digest) or `NAME@sha256:PREFIX`. */
export interface DatasetRef {
  name: string;
  digestPrefix?: string;
}

export function parseDatasetRef(ref: string): DatasetRef {
  const at = ref.indexOf('@');
  if (at < 0) return { name: checkName(ref, 'data set name') };
  const name = checkName(ref.slice(0, at), 'data set name');
  const d = /^(?:sha256:)?([0-9a-f]{8,64})$/i.exec(ref.slice(at + 1));
  if (!d)
    throw registryError(
      'REGISTRY_REF_INVALID',
      `data set reference "${ref}" must be NAME or NAME@sha256:HEX (at least 8 hex digits)`,
    );
  return { name, digestPrefix: `sha256:${d[1]!.toLowerCase()}` };
}

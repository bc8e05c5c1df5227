import { isAbsolute, relative, sep } from 'node:path';
import type { Finding, Report, Severity } from '../core/index.js';
import { refsText } from './common.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub code scanning ranks security alerts by this CVSS-like number.
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

function toUri(path: string, cwd: string): string {
  const rel = isAbsolute(path) ? relative(cwd, path) : path;
  const use = rel.startsWith('..') ? path : rel;
  return use
    .split(sep)
    .join('/')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. */
export function renderSarif(report: Report, opts: { cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const rules: { id: string; first: Finding }[] = [];
  const index = new Map<string, number>();
  for (const f of report.findings) {
    if (!index.has(f.id)) {
      index.set(f.id, rules.length);
      rules.push({ id: f.id, first: f });
    }
  }
  const driverRules = rules.map(({ id, first }) => ({
    id,
    name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
    shortDescription: { text: first.title },
    fullDescription: { text: first.title },
    help: { text: `${first.title}. See ${refsText(first) || 'the Warden documentation'}.` },
    defaultConfiguration: { level: LEVEL[first.severity] },
    properties: {
      tags: ['security', ...(first.refs.cwe ?? []), ...(first.refs.owasp ?? []), ...(first.refs.atlas ?? [])],
      'security-severity': SECURITY_SEVERITY[first.severity],
      precision: 'high',
    },
  }));
  const results = report.findings.map((f) => {
    const path = f.location?.path ?? report.subject.name;
    const region: Record<string, number> = { startLine: f.location?.line ?? 1 };
    if (f.location?.offset !== undefined) region.byteOffset = f.location.offset;
    const member = f.location?.member;
    return {
      ruleId: f.id,
      ruleIndex: index.get(f.id) ?? 0,
      level: LEVEL[f.severity],
      message: { text: `${f.title}${member ? ` in ${member}` : ''}: ${f.detail}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: toUri(path, cwd) }, region },
          ...(member ? { logicalLocations: [{ fullyQualifiedName: member, kind: 'member' }] } : {}),
        },
      ],
      partialFingerprints: {
        primaryLocationLineHash: `${f.id}:${path}:${member ?? ''}:${f.location?.offset ?? ''}`,
      },
      properties: { severity: f.severity, detector: f.detector, refs: f.refs },
    };
  });
  const notifications = report.items
    .filter((i) => i.status === 'error')
    .map((i) => ({
      level: 'error' as const,
      message: { text: `${i.name}: ${i.error?.code ?? 'ERROR'} ${i.error?.message ?? ''}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: toUri(i.name, cwd) } } }],
    }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Warden',
            semanticVersion: report.tool.version,
            version: report.tool.version,
            informationUri: 'https://github.com/ml-warden/warden',
            rules: driverRules,
          },
        },
        invocations: [
          {
            executionSuccessful: report.verdict !== 'error',
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
            toolExecutionNotifications: notifications,
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

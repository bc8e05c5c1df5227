import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SeveritySchema } from '../core/index.js';
import { CHECKS } from './checks/index.js';
import { postureError } from './errors.js';
import { projectEvidence, storeEvidence } from './evidence.js';
import { GATEWAY_CONFIG_RE, loadGatewayConfig, type GatewayFacts } from './gateway-config.js';
import { Project } from './project.js';
import { buildPostureReport, type PostureReport } from './report.js';
import { dependencyFileKind, emptyScan, parseDependencyFile, type DependencyScan } from './requirements.js';
import type { CheckResult, PostureContext } from './types.js';

/** Options of a posture run, validated at the edge. */
export const PostureOptionsSchema = z.strictObject({
  path: z.string().min(1),
  /** A folder (or file: URL) of Warden report JSON files. */
  store: z.string().min(1).optional(),
  gatewayConfig: z.string().min(1).optional(),
  /** Public key files (PEM) trusted for signature verification. */
  publicKeys: z.array(z.string().min(1)).max(32).default([]),
  failOn: SeveritySchema.default('high'),
});
export type PostureOptions = z.input<typeof PostureOptionsSchema>;

const PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/;

function readKey(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw postureError('POSTURE_KEY_INVALID', `cannot read public key ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const pem = PUBLIC_KEY.exec(text)?.[0];
  if (!pem) throw postureError('POSTURE_KEY_INVALID', `${path} holds no PEM public key`);
  return pem;
}

async function context(o: z.infer<typeof PostureOptionsSchema>): Promise<PostureContext> {
  const project = new Project(resolve(o.path));
  let gateway: GatewayFacts | undefined;
  let gatewayNote: string;
  if (o.gatewayConfig) {
    gateway = loadGatewayConfig(o.gatewayConfig);
    gatewayNote = `gateway config ${o.gatewayConfig}`;
  } else {
    const found = project.find(GATEWAY_CONFIG_RE)[0];
    if (found) {
      try {
        gateway = loadGatewayConfig(found.abs);
        gateway.source = found.rel;
        gatewayNote = `gateway config ${found.rel} (found in the project)`;
      } catch (e) {
        gatewayNote = `${found.rel} looks like a gateway config but does not parse: ${(e as Error).message}`;
      }
    } else
      gatewayNote =
        'no gateway config given (--gateway-config) or found (gateway.yaml, warden.yaml ...): serving controls cannot be checked';
  }
  const evidence = [...projectEvidence(project), ...(o.store ? await storeEvidence(o.store) : [])];
  const publicKeys = o.publicKeys.map(readKey);
  for (const f of project.find(/\.(pub|pem)$/i)) {
    const pem = PUBLIC_KEY.exec(project.readText(f, 64 * 1024) ?? '')?.[0];
    if (pem) publicKeys.push(pem);
  }
  let deps: DependencyScan | undefined;
  return {
    project,
    ...(gateway ? { gateway } : {}),
    gatewayNote,
    evidence,
    publicKeys,
    memo: new Map(),
    dependencies: () => {
      if (deps) return deps;
      deps = emptyScan();
      for (const f of project.files) {
        const kind = dependencyFileKind(f.rel);
        if (!kind) continue;
        const text = project.readText(f, 8 << 20);
        if (text === undefined) deps.errors.push({ file: f.rel, message: 'unreadable or binary' });
        else parseDependencyFile(kind, text, f.rel, deps);
      }
      return deps;
    },
  };
}

/** Checks a project directory (and optionally a store and a gateway config) against the 20-item checklist. */
export async function runPosture(options: PostureOptions): Promise<PostureReport> {
  const parsed = PostureOptionsSchema.safeParse(options);
  if (!parsed.success)
    throw postureError('POSTURE_PATH_INVALID', `posture options: ${z.prettifyError(parsed.error)}`, {
      kind: 'usage',
    });
  const o = parsed.data;
  const startedAt = new Date();
  const ctx = await context(o);
  const results: CheckResult[] = [];
  const timings: Record<string, number> = {};
  for (const check of CHECKS) {
    const t0 = performance.now();
    const r = await check.run(ctx);
    timings[check.id] = Math.round(performance.now() - t0);
    results.push({ id: check.id, title: check.title, severity: check.severity, refs: check.refs, ...r });
  }
  return buildPostureReport({
    root: o.path,
    results,
    startedAt,
    failOn: o.failOn,
    truncated: ctx.project.truncated,
    files: ctx.project.files.length,
    gateway: ctx.gateway?.source,
    store: o.store,
    timings,
  });
}

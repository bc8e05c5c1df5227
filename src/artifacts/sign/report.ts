import { join } from 'node:path';
import {
  compareFindings,
  makeReport,
  type Finding,
  type Refs,
  type Report,
  type ReportItem,
  type Severity,
} from '../../core/index.js';
import type { SignErrorCode } from './errors.js';
import type { VerifyOutcome, VerifyResult } from './verify.js';

/**
 * A verification report: the core report (findings are the failures, so every renderer and the
 * registry read it like a scan), plus the signature's claims, which are strings and so cannot sit
 * in the numeric `metrics`.
 */
export interface VerifyReport extends Report {
  verification: {
    signaturePath: string;
    verified: boolean;
    rootDigest?: string;
    signer?: string;
    material?: VerifyResult['material'];
    modelName?: string;
    provenance?: VerifyResult['provenance'];
  };
}

const AUTHENTICITY: Refs = { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-347'] };
const INTEGRITY: Refs = { owasp: ['ML06:2023'], atlas: ['AML.T0010'], cwe: ['CWE-494'] };

const KINDS: Partial<Record<SignErrorCode, { severity: Severity; title: string; refs: Refs }>> = {
  DIGEST_MISMATCH: { severity: 'critical', title: 'File differs from its signed digest', refs: INTEGRITY },
  MISSING_FILE: { severity: 'high', title: 'Signed file is missing', refs: INTEGRITY },
  UNSIGNED_FILE: { severity: 'high', title: 'File is not covered by the signature', refs: INTEGRITY },
  BAD_SIGNATURE: { severity: 'critical', title: 'Signature does not verify', refs: AUTHENTICITY },
  KEY_MISMATCH: { severity: 'critical', title: 'Signed with a different key', refs: AUTHENTICITY },
  UNTRUSTED_CERTIFICATE: {
    severity: 'critical',
    title: 'Signing certificate does not chain to a trusted root',
    refs: { ...AUTHENTICITY, cwe: ['CWE-295'] },
  },
  MALFORMED_BUNDLE: { severity: 'high', title: 'Signature bundle is malformed', refs: AUTHENTICITY },
  MALFORMED_PAYLOAD: { severity: 'high', title: 'Signed statement is malformed', refs: AUTHENTICITY },
};

/** Turns a verification outcome into a report; the verdict fails on any failure. */
export function verifyReport(
  modelPath: string,
  outcome: VerifyOutcome,
  times: { startedAt: string; finishedAt: string },
): VerifyReport {
  // paths as the user can open them, so SARIF locations resolve from the working directory
  const at = (file: string): string => (file === '.' ? modelPath : join(modelPath, file));
  const findings: Finding[] = outcome.failures
    .map((f): Finding => {
      const kind = KINDS[f.code] ?? { severity: 'high' as const, title: f.code, refs: AUTHENTICITY };
      return {
        id: f.code,
        detector: 'sign.verify',
        severity: kind.severity,
        title: kind.title,
        detail: f.message,
        location: { path: f.file === undefined ? outcome.signaturePath : at(f.file) },
        refs: kind.refs,
      };
    })
    .sort(compareFindings);
  const perFile = new Map<string, number>(outcome.files.map((f) => [at(f), 0]));
  for (const f of findings) perFile.set(f.location!.path!, (perFile.get(f.location!.path!) ?? 0) + 1);
  const items: ReportItem[] = [...perFile].map(([name, n]) => ({
    name,
    format: name === outcome.signaturePath ? 'sigstore-bundle' : 'file',
    status: n ? 'findings' : 'clean',
    findings: n,
  }));
  const s = outcome.signed;
  const report = makeReport({
    kind: 'verify',
    subject: { name: modelPath, ...(s ? { digest: `sha256:${s.rootDigest}` } : {}) },
    ...times,
    findings,
    items,
    metrics: { files: outcome.files.length, resources: s?.resources ?? 0, failures: findings.length },
    failOn: 'high',
  });
  return {
    ...report,
    verification: {
      signaturePath: outcome.signaturePath,
      verified: findings.length === 0,
      ...(s
        ? {
            rootDigest: `sha256:${s.rootDigest}`,
            signer: s.signer,
            material: s.material,
            modelName: s.modelName,
            ...(s.provenance ? { provenance: s.provenance } : {}),
          }
        : {}),
    },
  };
}

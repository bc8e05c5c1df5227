import type { Check, PostureContext } from '../types.js';
import { describeFile, documents, fail, grepLines, pass } from './common.js';

const DOC_EXT = '(md|markdown|txt|rst|adoc|pdf|docx|ya?ml|json|html)';

/** A dedicated document (by name), or a heading in the project's Markdown that names the topic. */
function findDocument(ctx: PostureContext, name: RegExp, heading: RegExp): string[] {
  const evidence: string[] = [];
  for (const f of ctx.project.find(name)) {
    if (/\.(pdf|docx)$/i.test(f.rel)) {
      evidence.push(describeFile(f));
      continue;
    }
    const text = ctx.project.readText(f, 256 * 1024) ?? '';
    // a stub (a title and nothing else) is not a plan
    if (text.replace(/\s+/g, ' ').trim().length >= 200) evidence.push(describeFile(f));
  }
  if (evidence.length) return evidence;
  for (const f of documents(ctx)) {
    const text = ctx.project.readText(f, 256 * 1024);
    if (text) evidence.push(...grepLines(text, heading, f.rel, 1));
    if (evidence.length >= 3) break;
  }
  return evidence;
}

export const threatModel: Check = {
  id: 'threat-model',
  title: 'Threat model present',
  severity: 'medium',
  refs: { owasp: ['ML01:2023', 'LLM01:2025'] },
  run: (ctx) => {
    const ev = findDocument(
      ctx,
      new RegExp(`(^|/)[^/]*threat[-_ ]?model[^/]*\\.${DOC_EXT}$`, 'i'),
      /^#{1,4}\s*threat\s+model/i,
    );
    return Promise.resolve(
      ev.length
        ? pass(ev)
        : fail(['no threat model document (THREAT_MODEL.md or a "Threat model" heading) found'], {
            remedy:
              'write THREAT_MODEL.md: assets, adversaries, entry points, mapped to OWASP ML/LLM Top 10 and MITRE ATLAS',
          }),
    );
  },
};

export const incidentResponse: Check = {
  id: 'incident-response',
  title: 'Incident response plan',
  severity: 'medium',
  refs: { owasp: ['LLM10:2025'] },
  run: (ctx) => {
    const ev = findDocument(
      ctx,
      new RegExp(`(^|/)[^/]*(incident[-_ ]?response|runbook|playbook)[^/]*\\.${DOC_EXT}$`, 'i'),
      /^#{1,4}\s*(incident\s+response|security\s+incidents?)/i,
    );
    return Promise.resolve(
      ev.length
        ? pass(ev)
        : fail(
            [
              'no incident response plan (INCIDENT_RESPONSE.md, a runbook, or an "Incident response" heading) found',
            ],
            {
              remedy:
                'write INCIDENT_RESPONSE.md: who is paged, how a model is rolled back or taken offline, how keys are rotated',
            },
          ),
    );
  },
};

const CADENCE =
  /\b(quarterly|monthly|weekly|annual(ly)?|yearly|bi-?annual(ly)?|semi-?annual(ly)?|every\s+\d+\s+(days|weeks|months))\b/i;
const REVIEW = /\b(security|model|risk|access|threat[- ]model|posture)\s+reviews?\b/i;

export const reviewSchedule: Check = {
  id: 'review-schedule',
  title: 'Security review schedule',
  severity: 'low',
  refs: {},
  run: (ctx) => {
    const evidence: string[] = [];
    for (const f of ctx.project.find(
      /(^|\/)(\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|azure-pipelines\.ya?ml)$/i,
    )) {
      const text = ctx.project.readText(f, 256 * 1024) ?? '';
      if (
        /\bschedule\s*:/.test(text) &&
        /\bcron\b/.test(text) &&
        /\bwarden\s+(posture|scan|redteam|verify)\b/.test(text)
      )
        evidence.push(
          `${f.rel}: scheduled CI job runs ${/\bwarden\s+(posture|scan|redteam|verify)\b/.exec(text)?.[0] ?? 'warden'}`,
        );
    }
    for (const f of documents(ctx)) {
      const text = ctx.project.readText(f, 256 * 1024);
      if (!text) continue;
      for (const l of grepLines(text, REVIEW, f.rel, 20)) if (CADENCE.test(l)) evidence.push(l);
      if (evidence.length >= 3) break;
    }
    return Promise.resolve(
      evidence.length
        ? pass(evidence.slice(0, 3))
        : fail(
            [
              'no review cadence (e.g. "security review quarterly") in the documents and no scheduled CI job running warden',
            ],
            {
              command: 'add a scheduled CI job (cron) that runs: warden posture . --format sarif',
            },
          ),
    );
  },
};

export const GOVERNANCE_CHECKS: Check[] = [threatModel, incidentResponse, reviewSchedule];

import type { EvidenceFile, EvidenceKind } from '../evidence.js';
import type { Check, PostureContext } from '../types.js';
import { fail, pass, unknown } from './common.js';
import { dataFiles, piiScan } from './data.js';
import { signatureScan } from './supply-chain.js';

function evidenceOf(ctx: PostureContext, ...kinds: EvidenceKind[]): EvidenceFile[] {
  return ctx.evidence.filter((e) => e.kinds.some((k) => kinds.includes(k)));
}

const describe = (es: EvidenceFile[]): string[] => es.slice(0, 3).map((e) => `${e.where}: ${e.summary}`);

/** Dependencies that suggest a capability is wired in (mentioned as context, never enough to pass). */
function depsNamed(ctx: PostureContext, re: RegExp): string[] {
  return [
    ...new Set(
      ctx
        .dependencies()
        .deps.filter((d) => re.test(d.name))
        .map((d) => d.name),
    ),
  ];
}

export const adversarialRobustness: Check = {
  id: 'adversarial-robustness',
  title: 'Adversarial robustness tested',
  severity: 'medium',
  refs: { owasp: ['ML01:2023', 'LLM01:2025'], atlas: ['AML.T0043', 'AML.T0054'] },
  run: (ctx) => {
    const es = evidenceOf(ctx, 'robustness', 'redteam');
    if (es.length) return Promise.resolve(pass(describe(es)));
    const libs = depsNamed(
      ctx,
      /^(adversarial-robustness-toolbox|foolbox|torchattacks|autoattack|textattack|garak)$/i,
    );
    return Promise.resolve(
      fail(
        [
          'no robustness evidence (a Warden attack/redteam report or JSON with robust accuracy) in the project or store',
          ...(libs.length ? [`attack libraries declared (${libs.join(', ')}) but no results kept`] : []),
        ],
        {
          command:
            'warden attack --model model.onnx --eps 0.03 --json > reports/robustness.json   (LLM apps: warden redteam --target URL -f json -o reports/redteam.json)',
        },
      ),
    );
  },
};

export const poisoningDetection: Check = {
  id: 'poisoning-detection',
  title: 'Poisoning detection on training data',
  severity: 'medium',
  refs: { owasp: ['ML02:2023', 'LLM04:2025'], atlas: ['AML.T0020'] },
  run: (ctx) => {
    const es = evidenceOf(ctx, 'poisoning');
    return Promise.resolve(
      es.length
        ? pass(describe(es))
        : fail(
            [
              'no poisoning-detection report (spectral signatures, activation clustering, label disagreement) in the project or store',
            ],
            {
              remedy:
                'run a poisoning detector over the training set and keep its JSON report under reports/',
            },
          ),
    );
  },
};

export const differentialPrivacy: Check = {
  id: 'differential-privacy',
  title: 'Differential privacy evaluated for sensitive data',
  severity: 'high',
  refs: { owasp: ['ML03:2023', 'ML04:2023', 'LLM02:2025'], atlas: ['AML.T0024'] },
  run: (ctx) => {
    const es = evidenceOf(ctx, 'privacy');
    if (es.length) return Promise.resolve(pass(describe(es)));
    const libs = depsNamed(ctx, /^(opacus|tensorflow-privacy|dp-accounting|diffprivlib|pipeline-dp)$/i);
    const context = libs.length ? [`DP libraries declared (${libs.join(', ')}) but no epsilon kept`] : [];
    if (dataFiles(ctx).length === 0)
      return Promise.resolve(
        unknown([
          'no DP evaluation found, and no training data in the project to tell whether it is sensitive',
          ...context,
        ]),
      );
    const pii = piiScan(ctx);
    const types = Object.keys(pii.byType);
    if (!types.length)
      return Promise.resolve(
        pass([
          `no personal data in ${pii.lines} sampled lines of training data: DP not required`,
          ...context,
        ]),
      );
    return Promise.resolve(
      fail(
        [
          `training data holds personal data (${types.join(', ')}) and no DP evaluation (epsilon) was found`,
          ...context,
        ],
        {
          command:
            'warden dp noise --target-epsilon 8 --delta 1e-5 --sample-rate Q --epochs E --json > reports/dp.json',
        },
      ),
    );
  },
};

export const fairness: Check = {
  id: 'fairness',
  title: 'Fairness measured',
  severity: 'medium',
  refs: { owasp: ['LLM09:2025'] },
  run: (ctx) => {
    const es = evidenceOf(ctx, 'fairness');
    if (es.length) return Promise.resolve(pass(describe(es)));
    const libs = depsNamed(ctx, /^(fairlearn|aif360|fairness-indicators)$/i);
    return Promise.resolve(
      fail(
        [
          'no fairness report (demographic parity, equalized odds, disparate impact) in the project or store',
          ...(libs.length ? [`fairness libraries declared (${libs.join(', ')}) but no results kept`] : []),
        ],
        {
          remedy:
            'measure demographic parity / equalized odds per protected group and keep the JSON report under reports/',
        },
      ),
    );
  },
};

const PROVENANCE_FILE =
  /(^|\/)([^/]*provenance[^/]*\.json|[^/]*\.intoto\.jsonl?|[^/]*\.slsa\.json|model[-_ ]?card\.md)$/i;

export const provenance: Check = {
  id: 'provenance',
  title: 'Provenance tracked',
  severity: 'medium',
  refs: { owasp: ['ML06:2023', 'LLM03:2025'], atlas: ['AML.T0010'] },
  run: async (ctx) => {
    const evidence = describe(evidenceOf(ctx, 'provenance'));
    const sigs = await signatureScan(ctx);
    for (const s of sigs.verified)
      if (s.provenance) evidence.push(`${s.signature}: signed provenance record (source ${s.provenance})`);
    for (const f of ctx.project.find(PROVENANCE_FILE).slice(0, 3)) evidence.push(f.rel);
    if (evidence.length) return pass(evidence.slice(0, 5));
    return fail(
      ['no provenance record: no signed lineage, in-toto/SLSA statement, provenance JSON or model card'],
      {
        command:
          'warden sign MODEL_DIR --key signing.pem --source-digest SHA256_OF_CHECKPOINT --scan-report scan.json',
      },
    );
  },
};

export const EVIDENCE_CHECKS: Check[] = [
  adversarialRobustness,
  poisoningDetection,
  differentialPrivacy,
  fairness,
  provenance,
];

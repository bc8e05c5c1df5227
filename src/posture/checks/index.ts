import type { Check } from '../types.js';
import { threatModel, incidentResponse, reviewSchedule } from './governance.js';
import {
  adversarialRobustness,
  poisoningDetection,
  differentialPrivacy,
  fairness,
  provenance,
} from './evidence-checks.js';
import { rbac, inputValidation, rateLimiting, tls13, mutualTls, auditLogging } from './serving.js';
import { dependencyPinning, dependencySources, pickleRisk, artifactSigning } from './supply-chain.js';
import { trainingDataPii, secretsInRepo } from './data.js';

/** The 20-item ML security checklist, in the order reports list it: the one registry the runner and the contract test read. */
export const CHECKS: readonly Check[] = [
  threatModel,
  adversarialRobustness,
  poisoningDetection,
  differentialPrivacy,
  artifactSigning,
  rbac,
  inputValidation,
  rateLimiting,
  tls13,
  mutualTls,
  dependencyPinning,
  dependencySources,
  pickleRisk,
  trainingDataPii,
  auditLogging,
  secretsInRepo,
  provenance,
  fairness,
  incidentResponse,
  reviewSchedule,
];

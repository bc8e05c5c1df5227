export { createDashboard, PAGES } from './handler.js';
export { CSP } from './assets.js';
export { parsePrometheus, histogramQuantile, type Sample as MetricSample } from './prometheus.js';
export type { OverviewView, ModelsView, ScansView } from './registry-views.js';
export type { RobustnessView } from './robustness-view.js';
export { epsilonOverSteps, type PrivacyView } from './privacy-view.js';
export type { GatewayView, GuardView, AuditPage, ChainStatus } from './gateway-views.js';

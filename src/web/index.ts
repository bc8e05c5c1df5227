export { createDashboard, PAGES } from './handler.js';
export { CSP } from './assets.js';
export { parsePrometheus, histogramQuantile, type Sample as MetricSample } from './prometheus.js';
export type { OverviewView, ModelsView, ScansView } from './registry-views.js';
export { epsilonOverSteps, type RobustnessView, type PrivacyView } from './evidence-views.js';
export type { GatewayView, GuardView, AuditPage, ChainStatus } from './gateway-views.js';

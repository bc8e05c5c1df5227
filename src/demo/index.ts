export { runDemo, STEPS, type DemoIo, type DemoRun } from './run.js';
export { renderSummary, type DemoSummary } from './summary.js';
export {
  parseDemoOptions,
  DemoOptionsSchema,
  FULL_SIZES,
  QUICK_SIZES,
  type DemoOptions,
  type DemoOptionsInput,
  type DemoSizes,
} from './options.js';
export { Progress, type ProgressSink, type StepProgress } from './progress.js';
export { renderTable, type TableRow } from './table.js';
export { scanSamples, type SampleScan } from './artifacts.js';
export { demoData, MNIST_DIR, type DemoData } from './data.js';
export { demoPolicy, MODEL_NAME, PRINCIPALS } from './registry.js';
export { freshWorkDir, MARKER } from './options.js';

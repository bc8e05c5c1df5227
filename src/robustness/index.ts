export * from './errors.js';
export { Graph } from './engine/graph.js';
export { differentiate } from './engine/autodiff.js';
export { Session, type HostTensor } from './engine/session.js';
export { importOnnx, type ImportedModel } from './engine/import.js';
export { supportedOps } from './engine/rules/index.js';
export type { Shape, Attrs, Attr } from './engine/types.js';
export * from './data/dataset.js';
export { parseIdx, parseIdxTensor, type IdxArray, type IdxTensor } from './data/idx.js';
export { parseNpy, type NpyArray } from './data/npy.js';
export { parseLabeledCsv, type CsvTable, type CsvOptions } from './data/csv.js';
export { Model, ARCHITECTURES } from './models/model.js';
export type { Layer, Param, EmitOptions } from './models/layers.js';
export { train, trainStepGraph, type TrainOptions, type TrainResult } from './train.js';
export * from './evaluate.js';
export * from './target.js';
export * from './attacks/index.js';
export { certifiedRadius, type Certificate } from './certify/radius.js';
export { pgdPerturber, type AdversarialTrainingOptions } from './attacks/adversarial-training.js';
export { httpTarget, type HttpTargetOptions } from './remote.js';
export {
  certifySmoothed,
  predictSmoothed,
  binomialTestHalf,
  noisyCounts,
  type SmoothingOptions,
  type SmoothedCertificate,
  type SmoothedPrediction,
} from './certify/smoothing.js';
export * from './defenses/index.js';
export { robustnessReport, attackSummary, type RobustnessSubject } from './report.js';
// used by DP-SGD in src/privacy: the loss, label encoding and optimizer updates of the training loop
export { crossEntropy, oneHot } from './models/loss.js';
export { sgd, adam } from './train.js';
export { penultimateActivations, type Activations } from './activations.js';

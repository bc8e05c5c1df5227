export { hdf5Scanner, detectHdf5 } from './h5-scanner.js';
export { checkKerasConfig, looksLikeKerasConfig, inspectLambdaFunction, type KerasOrigin } from './config.js';

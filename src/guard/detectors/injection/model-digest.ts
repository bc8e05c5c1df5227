// Written by `npm run train:guard`: the SHA-256 of models/guard/injection.wgm that this code accepts.
export const MODEL_SHA256 = '79828a465956a387418121e04f0fa2696aea446f40b794a8f4a9e29c4a5a3c87';

// Written by `npm run train:guard`: the SHA-256 of models/guard/injection.wgm that this code accepts.
export const MODEL_SHA256 = 'a58fe2ff7fd4099ec340670d1ff6cd14817f91d5d5c7abe73467282a9c9bc850';

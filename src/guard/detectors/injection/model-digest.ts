// Written by `npm run train:guard`: the SHA-256 of models/guard/injection.wgm that this code accepts.
export const MODEL_SHA256 = '67a5fda7a4df2a5109646f08e57606ce29d2f98e074d2c4b9874c00d94e4f62a';

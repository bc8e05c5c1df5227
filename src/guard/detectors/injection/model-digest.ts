// Written by `npm run train:guard`: the SHA-256 of models/guard/injection.wgm that this code accepts.
export const MODEL_SHA256 = '61b0d46eb0694a89f262374b8abd51a96a6e7610d85fba658a4baf10e436bec4';

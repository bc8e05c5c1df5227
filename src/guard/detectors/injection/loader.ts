import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeModel, type InjectionModel } from './model.js';
import { MODEL_SHA256 } from './model-digest.js';

/** The shipped weights. src/ and dist/ sit at the same depth, so one relative URL serves both. */
export const MODEL_URL = new URL('../../../../models/guard/injection.wgm', import.meta.url);

/** Outcome of loading the shipped model once: the model, or why the detectors run on heuristics only. */
export type LoadState = { model: InjectionModel } | { model: null; error: Error };

let state: LoadState | undefined;

/** Reads and verifies a model file; throws GUARD_MODEL_INVALID (or the read error) on failure. */
export function loadModelFile(path: string, sha256: string | undefined = MODEL_SHA256): InjectionModel {
  return decodeModel(readFileSync(path), sha256);
}

/**
 * Loads the shipped model lazily, once per process. A missing or corrupt file does not break the guard:
 * the detectors fall back to heuristics only, and one process warning (WARDEN_GUARD_MODEL) says why.
 */
export function sharedModel(): LoadState {
  if (state) return state;
  try {
    state = { model: loadModelFile(fileURLToPath(MODEL_URL)) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    state = { model: null, error };
    process.emitWarning(`prompt_injection/jailbreak run on heuristics only: ${error.message}`, {
      code: 'WARDEN_GUARD_MODEL',
    });
  }
  return state;
}

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import type { Detection, DetectorSpec } from '../../types.js';
import { extractJson } from './json-extract.js';

const Options = z
  .strictObject({
    /** JSON Schema (draft 2020-12) the answer must satisfy; `{}` accepts any JSON. */
    schema: z.union([z.boolean(), z.record(z.string(), z.unknown())]).default({}),
    /** Flag answers that contain no JSON at all. */
    requireJson: z.boolean().default(true),
    maxChars: z.number().int().positive().max(50_000_000).default(1_000_000),
    maxDepth: z.number().int().min(1).max(1000).default(64),
  })
  .superRefine((o, ctx) => {
    try {
      compileSchema(o.schema);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: ['schema'],
        message: `invalid JSON Schema: ${(e as Error).message}`,
      });
    }
  });
type Options = z.infer<typeof Options>;

const MAX_ERRORS = 5;

function compileSchema(schema: boolean | Record<string, unknown>): ValidateFunction {
  // strict off: schemas written for other drafts or with vendor keywords should still load.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

function summarise(errors: readonly ErrorObject[]): string {
  const shown = errors.slice(0, MAX_ERRORS).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  const more = errors.length > MAX_ERRORS ? `; and ${errors.length - MAX_ERRORS} more` : '';
  return shown.join('; ') + more;
}

function check(text: string, validate: ValidateFunction, o: Options): Detection | null {
  const found = extractJson(text, { maxChars: o.maxChars, maxDepth: o.maxDepth });
  if (found === null)
    return o.requireJson
      ? {
          type: 'json_schema.not_json',
          start: 0,
          end: text.length,
          score: 1,
          detail: 'no JSON document found',
        }
      : null;
  if ('problem' in found)
    return {
      type: 'json_schema.invalid',
      start: found.start,
      end: found.end,
      score: 1,
      detail: found.problem,
    };
  if (validate(found.value)) return null;
  const errors = validate.errors ?? [];
  return {
    type: 'json_schema.invalid',
    start: found.start,
    end: found.end,
    score: 1,
    detail: summarise(errors),
    meta: { errors: errors.length },
  };
}

/** Structured-output enforcement: the answer must be JSON (whole, fenced or embedded) matching a schema. */
export const jsonSchemaDetector: DetectorSpec<Options> = {
  name: 'json_schema',
  description: 'Output that is not JSON, or JSON that does not validate against the configured JSON Schema',
  directions: ['output'],
  defaultAction: 'block',
  defaultThreshold: 0.5,
  severity: 'medium',
  options: Options,
  create: (o) => {
    const validate = compileSchema(o.schema);
    return {
      name: 'json_schema',
      detect(text) {
        const d = check(text, validate, o);
        return d ? { score: d.score, detections: [d] } : { score: 0, detections: [] };
      },
    };
  },
};

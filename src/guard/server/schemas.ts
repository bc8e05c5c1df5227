import { z } from 'zod';
import { guardError } from '../errors.js';

// In a unicode-mode regex a surrogate range matches only unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A string that is well-formed UTF-16: a lone surrogate cannot be encoded for the model, so it is refused. */
export const WellFormedString = z
  .string()
  .refine((s) => !LONE_SURROGATE.test(s), { message: 'contains a lone UTF-16 surrogate' });

/** Body of `POST /v1/guard/scan`. */
export const ScanRequestSchema = z.strictObject({
  text: WellFormedString,
  direction: z.enum(['input', 'output']).default('input'),
  canaries: z.array(z.string().min(8).max(256)).max(64).optional(),
  /** For output scans: the prompt that produced the text. */
  prompt: WellFormedString.optional(),
});
export type ScanRequest = z.infer<typeof ScanRequestSchema>;

/** One part of an array message content; non-text parts (images, audio) pass through unscanned. */
const ContentPartSchema = z
  .looseObject({ type: z.string().max(64), text: WellFormedString.optional() })
  .refine((p) => p.type !== 'text' || typeof p.text === 'string', {
    message: 'a text part needs a "text" string',
  });

/** A chat message as the OpenAI API takes it; fields other than role and content are forwarded untouched. */
export const ChatMessageSchema = z.looseObject({
  role: z.string().min(1).max(64),
  content: z.union([WellFormedString, z.array(ContentPartSchema).max(1024), z.null()]).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** Body of `POST /v1/chat/completions`; unknown fields (temperature, tools...) are forwarded as they are. */
export const ChatRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(ChatMessageSchema).min(1).max(4096),
  stream: z.boolean().optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** Validates a parsed body against a schema; a mismatch is a GUARD_INPUT_INVALID (HTTP 400) naming the path. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw guardError('GUARD_INPUT_INVALID', `invalid request: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

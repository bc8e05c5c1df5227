import { privacyError } from '../errors.js';

/**
 * Splits text chunks into lines (LF or CRLF), refusing any line longer than `maxChars` before it is
 * buffered whole, so a file without line breaks cannot fill memory.
 */
export async function* boundedLines(
  chunks: AsyncIterable<string> | Iterable<string>,
  maxChars: number,
  name: string,
): AsyncGenerator<string> {
  let carry = '';
  let line = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const text = carry + chunk.slice(start, nl);
      carry = '';
      start = nl + 1;
      line++;
      if (text.length > maxChars)
        throw privacyError('PRIVACY_DATA_INVALID', `${name}: line ${line} is over ${maxChars} characters`);
      yield text.endsWith('\r') ? text.slice(0, -1) : text;
    }
    carry += chunk.slice(start);
    if (carry.length > maxChars)
      throw privacyError('PRIVACY_DATA_INVALID', `${name}: line ${line + 1} is over ${maxChars} characters`);
  }
  if (carry.length) yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

/** Parses one JSON-lines record: an object, or a typed error naming the line. */
export function jsonObject(text: string, name: string, line: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw privacyError('PRIVACY_DATA_INVALID', `${name}: line ${line} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw privacyError('PRIVACY_DATA_INVALID', `${name}: line ${line} is not a JSON object`);
  return v as Record<string, unknown>;
}

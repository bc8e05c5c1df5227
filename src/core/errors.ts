/** How an error is answered at the edges: usage/input -> exit 2 / HTTP 4xx, internal -> exit 3 / HTTP 500. */
export type ErrorKind = 'usage' | 'input' | 'limit' | 'internal';

/** Codes shared by every domain; each domain adds its own union. */
export type CoreErrorCode =
  'USAGE' | 'CONFIG_INVALID' | 'IO_ERROR' | 'NOT_FOUND' | 'LIMIT_EXCEEDED' | 'TIMEOUT' | 'INTERNAL';

export interface WardenErrorOptions {
  cause?: unknown;
  kind?: ErrorKind;
}

export class WardenError<C extends string = string> extends Error {
  readonly code: C;
  readonly kind: ErrorKind;

  constructor(code: C, message: string, options: WardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WardenError';
    this.code = code;
    this.kind = options.kind ?? 'input';
  }

  toJSON(): { code: string; kind: ErrorKind; message: string } {
    return { code: this.code, kind: this.kind, message: this.message };
  }
}

export function isWardenError(e: unknown): e is WardenError<string> {
  return e instanceof WardenError;
}

/** Wraps anything thrown into a WardenError; unknown errors become internal. */
export function toWardenError(e: unknown): WardenError {
  if (isWardenError(e)) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err && typeof err.code === 'string') {
    if (err.code === 'ENOENT') return new WardenError('NOT_FOUND', err.message, { cause: e, kind: 'input' });
    if (['EACCES', 'EISDIR', 'ENOTDIR', 'EPERM', 'ELOOP', 'EMFILE'].includes(err.code))
      return new WardenError('IO_ERROR', err.message, { cause: e, kind: 'input' });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new WardenError('INTERNAL', message, { cause: e, kind: 'internal' });
}

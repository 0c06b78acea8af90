/**
 * The one error family of the bot. Every failure a user or operator can meet is an `AppError`
 * with a stable `code`; the Discord layer turns `code` + `params` into a localised message
 * (key `errors.<code>`) plus a short reference id, and never shows `message` to a user.
 */
export type ErrorParams = Readonly<Record<string, string | number>>;

export interface AppErrorOptions {
  /** HTTP status of the response that caused it, when there was one. */
  status?: number;
  /** RunComfy's own `error_code` (e.g. 400002), when it sent one. */
  apiErrorCode?: number | string;
  /** RunComfy request id the failure concerns. */
  requestId?: string;
  /** Values for the localised message (numbers, field names; never secrets). */
  params?: ErrorParams;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly apiErrorCode: number | string | undefined;
  readonly requestId: string | undefined;
  readonly params: ErrorParams;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.apiErrorCode = options.apiErrorCode;
    this.requestId = options.requestId;
    this.params = options.params ?? {};
  }

  /** A plain object for structured logs (no stack, no cause chain with secrets). */
  toLog(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      apiErrorCode: this.apiErrorCode,
      requestId: this.requestId,
      params: this.params,
    };
  }
}

/** Bad user input: shown ephemerally, nothing was sent anywhere. */
export class InputError extends AppError {}

/** The operation was aborted by its caller (shutdown, cancel). Never retried. */
export class AbortedError extends AppError {
  constructor(message = 'The operation was aborted', options: AppErrorOptions = {}) {
    super('aborted', message, options);
  }
}

/**
 * The one way an error goes into a log: an AppError as its `toLog()`, any other Error as its
 * name, message and code (undici's `UND_ERR_*`, discord.js's numeric API codes), anything else
 * as text. Never a stack or a cause chain (they can hold tokens).
 */
export function describeError(error: unknown): unknown {
  if (error instanceof AppError) return error.toLog();
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    };
  }
  return String(error);
}

export function isAbortError(error: unknown): boolean {
  if (error instanceof AbortedError) return true;
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}

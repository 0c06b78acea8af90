/**
 * One error class per RunComfy failure (openai-node style). Each carries a stable `code`,
 * the HTTP status, RunComfy's `error_code` and the request id; none ever carries the token.
 */
import { AppError, type AppErrorOptions } from '../errors.js';

export type RunComfyErrorCode =
  | 'runcomfy_auth'
  | 'runcomfy_insufficient_balance'
  | 'runcomfy_not_found'
  | 'runcomfy_validation'
  | 'runcomfy_model_unknown'
  | 'runcomfy_rate_limited'
  | 'runcomfy_server'
  | 'runcomfy_network'
  | 'runcomfy_timeout'
  | 'runcomfy_unexpected_response'
  | 'runcomfy_response_too_large'
  | 'runcomfy_submit_uncertain';

export class RunComfyError extends AppError {
  declare readonly code: RunComfyErrorCode;
  constructor(code: RunComfyErrorCode, message: string, options: AppErrorOptions = {}) {
    super(code, message, options);
  }
}

/** 401/403, error_code 400004 (token) or 403001 (request of another account). */
export class RunComfyAuthError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_auth', message, options);
  }
}

/** 402 or error_code 400002: the account is out of credit. */
export class RunComfyInsufficientBalanceError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_insufficient_balance', message, options);
  }
}

/** 404 or error_code 404001: the request id is unknown, deleted or expired. */
export class RunComfyNotFoundError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_not_found', message, options);
  }
}

export interface ValidationIssue {
  field: string;
  message: string;
}

/** 422 / 400, error_code 422001: RunComfy rejected the input. */
export class RunComfyValidationError extends RunComfyError {
  constructor(
    message: string,
    readonly issues: ValidationIssue[],
    options: AppErrorOptions = {},
  ) {
    super('runcomfy_validation', message, {
      ...options,
      params: { fields: issues.map((i) => i.field).join(', ') || 'input', ...options.params },
    });
  }
}

/** error_code 400001: the configured model id does not exist. */
export class RunComfyModelUnknownError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_model_unknown', message, options);
  }
}

/** 429. `retryAfterMs` is the server's Retry-After when it sent one. */
export class RunComfyRateLimitError extends RunComfyError {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options: AppErrorOptions = {},
  ) {
    super('runcomfy_rate_limited', message, options);
  }
}

/** 5xx. */
export class RunComfyServerError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_server', message, options);
  }
}

/**
 * The connection failed. `requestSent` tells whether the request may have reached the
 * server (false only when the connection itself could not be made).
 */
export class RunComfyNetworkError extends RunComfyError {
  constructor(
    message: string,
    readonly requestSent: boolean,
    options: AppErrorOptions = {},
  ) {
    super('runcomfy_network', message, options);
  }
}

/** No (complete) answer within the call's timeout. */
export class RunComfyTimeoutError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_timeout', message, options);
  }
}

/** The answer did not fit the documented shape (malformed JSON, missing fields, unknown error body). */
export class RunComfyUnexpectedResponseError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_unexpected_response', message, options);
  }
}

/** The answer's body was larger than any answer of the API can be: read no further, never retried. */
export class RunComfyResponseTooLargeError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_response_too_large', message, options);
  }
}

/**
 * A submit whose request may have reached RunComfy failed before we saw its answer.
 * It is never re-sent (there is no idempotency key): the user is told it may have started.
 */
export class RunComfySubmitUncertainError extends RunComfyError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super('runcomfy_submit_uncertain', message, options);
  }
}

/** Errors worth another try for an idempotent call (GET, cancel). */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof RunComfyRateLimitError ||
    error instanceof RunComfyServerError ||
    error instanceof RunComfyNetworkError ||
    error instanceof RunComfyTimeoutError
  );
}

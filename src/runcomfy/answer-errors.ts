/**
 * RunComfy's error answers as typed errors: the HTTP status and the body's `error_code` pick
 * the RunComfyError subclass, and a validation answer's `detail` becomes field-level issues.
 */
import {
  RunComfyAuthError,
  type RunComfyError,
  RunComfyInsufficientBalanceError,
  RunComfyModelUnknownError,
  RunComfyNotFoundError,
  RunComfyRateLimitError,
  RunComfyServerError,
  RunComfyUnexpectedResponseError,
  RunComfyValidationError,
  type ValidationIssue,
} from './errors.js';
import type { ErrorBody } from './schemas.js';

/** The typed error for an answer that is an error (any status, or a 2xx with an `error_code`). */
export function errorFromAnswer(
  status: number,
  body: ErrorBody,
  requestId: string | undefined,
  retryAfterMs: number | undefined,
): RunComfyError {
  const apiCode = body.error_code === undefined ? undefined : Number(body.error_code);
  const message = body.error_message ?? body.message ?? (typeof body.error === 'string' ? body.error : undefined);
  const options = { status, apiErrorCode: body.error_code, requestId };
  const describe = (what: string) => `${what} (HTTP ${status}${apiCode ? `, error_code ${apiCode}` : ''})`;
  if (status === 429) return new RunComfyRateLimitError(describe('RunComfy rate limit'), retryAfterMs, options);
  switch (apiCode) {
    case 400004:
    case 403001:
      return new RunComfyAuthError(describe('RunComfy refused the credentials'), options);
    case 400002:
      return new RunComfyInsufficientBalanceError(describe('RunComfy account has insufficient balance'), options);
    case 404001:
      return new RunComfyNotFoundError(describe('RunComfy does not know this request (deleted or expired)'), options);
    case 422001:
      return new RunComfyValidationError(describe('RunComfy rejected the input'), validationIssues(body), options);
    case 400001:
      return new RunComfyModelUnknownError(describe('RunComfy does not know the configured model id'), options);
  }
  if (status === 401 || status === 403)
    return new RunComfyAuthError(describe('RunComfy refused the credentials'), options);
  if (status === 402)
    return new RunComfyInsufficientBalanceError(describe('RunComfy account has insufficient balance'), options);
  if (status === 404) return new RunComfyNotFoundError(describe('RunComfy does not know this request'), options);
  if (status === 400 || status === 422) {
    return new RunComfyValidationError(describe('RunComfy rejected the input'), validationIssues(body), options);
  }
  if (status >= 500) return new RunComfyServerError(describe('RunComfy server error'), options);
  return new RunComfyUnexpectedResponseError(
    describe(`RunComfy answered with an error${message ? `: ${truncate(message, 200)}` : ''}`),
    options,
  );
}

function validationIssues(body: ErrorBody): ValidationIssue[] {
  if (!Array.isArray(body.detail)) {
    const message = body.error_message ?? body.message;
    return message ? [{ field: 'input', message: truncate(message, 300) }] : [];
  }
  return body.detail.slice(0, 20).map((item) => {
    const entry = (item ?? {}) as { loc?: unknown; msg?: unknown };
    const loc = Array.isArray(entry.loc) ? entry.loc.filter((p) => p !== 'body').join('.') : '';
    return { field: loc || 'input', message: truncate(String(entry.msg ?? 'invalid'), 300) };
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * One error type for every failed API call, whatever answered: the backend, nginx, or nobody.
 *
 * Every error body is `{"error": code, "detail": sentence}`, except 422 whose `detail` lists the
 * offending fields (docs/architecture.md). Anything else (an HTML 502 page, a dropped
 * connection) still becomes an ApiError with a sentence a user can read.
 */

/** One entry of a 422's `detail`. */
export type FieldProblem = { field: string; location: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fieldProblems: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const GENERIC_MESSAGES: Record<number, string> = {
  0: 'Cannot reach the server. Check your connection and try again.',
  429: 'Too many requests. Please wait a moment and try again.',
  502: 'The service is unavailable right now. Please try again in a moment.',
  503: 'The service is unavailable right now. Please try again in a moment.',
  504: 'The service is unavailable right now. Please try again in a moment.',
};

function isFieldProblem(value: unknown): value is FieldProblem {
  return (
    typeof value === 'object' &&
    value !== null &&
    'field' in value &&
    'message' in value &&
    typeof value.field === 'string' &&
    typeof value.message === 'string'
  );
}

/** Builds the ApiError for a response body (already parsed as JSON when it was JSON). */
export function toApiError(body: unknown, status: number): ApiError {
  const fallback = GENERIC_MESSAGES[status] ?? 'Something went wrong. Please try again.';
  if (typeof body !== 'object' || body === null || !('error' in body) || !('detail' in body)) {
    return new ApiError(status, status === 0 ? 'network_error' : 'unexpected_response', fallback);
  }
  const code = typeof body.error === 'string' ? body.error : 'unexpected_response';
  if (Array.isArray(body.detail)) {
    const problems = body.detail.filter(isFieldProblem);
    return new ApiError(status, code, 'Some fields need attention.', problems);
  }
  const detail = typeof body.detail === 'string' && body.detail !== '' ? body.detail : fallback;
  return new ApiError(status, code, detail);
}

/** A sentence for any error a query or mutation may reject with. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong. Please try again.';
}

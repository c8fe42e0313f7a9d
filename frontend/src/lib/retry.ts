/**
 * Retries of requests that failed on the way (docs/architecture.md, "Retries"): a 502, 503 or
 * 504, or no answer at all, is retried when doing the request twice is harmless: an idempotent
 * method, or a create that carries an Idempotency-Key. Each wait is the larger of the server's
 * Retry-After and a backoff doubling from `baseDelayMs`, plus up to 20% jitter.
 */

export type RetryPolicy = { retries: number; baseDelayMs: number; maxDelayMs: number };

/** Mutable so the tests can shorten the backoff; the app never changes it. */
export const retryPolicy: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 10_000 };

const RETRIED_STATUSES = new Set([502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isRetryable(request: Request): boolean {
  return IDEMPOTENT_METHODS.has(request.method) || request.headers.has('Idempotency-Key');
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds; null when absent or bad. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** How long to wait before retry number `attempt` + 1 (attempt counts from 0). */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | null,
  policy: RetryPolicy = retryPolicy,
  random: () => number = Math.random,
): number {
  const wait = Math.max(retryAfter ?? 0, policy.baseDelayMs * 2 ** attempt);
  return Math.min(policy.maxDelayMs, wait * (1 + 0.2 * random()));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A `fetch` that retries as described above; `send` is the fetch underneath. */
export function createRetryingFetch(
  send: (request: Request) => Promise<Response> = (request) => fetch(request),
  wait: (ms: number) => Promise<void> = sleep,
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    if (!isRetryable(request)) return send(request);
    for (let attempt = 0; ; attempt += 1) {
      const last = attempt >= retryPolicy.retries;
      let response: Response;
      try {
        response = await send(request.clone());
      } catch (error) {
        // No answer: the request may or may not have been applied, which the key makes safe.
        if (last || (error instanceof DOMException && error.name === 'AbortError')) throw error;
        await wait(retryDelayMs(attempt, null));
        continue;
      }
      if (last || !RETRIED_STATUSES.has(response.status)) return response;
      await wait(retryDelayMs(attempt, retryAfterMs(response.headers.get('Retry-After'))));
    }
  };
}

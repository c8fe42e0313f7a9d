/**
 * Configures the generated API client (src/lib/api/) once, at start-up: it sends the session's
 * bearer token, retries what is safe to retry (src/lib/retry.ts), turns every failure into an
 * ApiError, and ends the session when the server rejects the token.
 */
import { client } from '@/lib/api/client.gen';
import { toApiError } from '@/lib/api-error';
import { createRetryingFetch } from '@/lib/retry';
import { endSession, getToken } from '@/lib/session';

export function configureApiClient(): void {
  client.setConfig({
    // Absolute, so the same code runs in the browser and under Node's fetch in the tests.
    baseUrl: window.location.origin,
    // Called only for operations that declare a security scheme, so log-in and sign-up
    // never carry a stale token.
    auth: () => getToken() ?? undefined,
    fetch: createRetryingFetch(),
  });

  client.interceptors.error.use((body, response, request) => {
    const status = response?.status ?? 0;
    // A 401 for a request that carried the current token means it expired or was revoked
    // (a password change elsewhere). A 401 for an older token (replaced mid-flight) is not.
    const token = getToken();
    if (status === 401 && token && request.headers.get('Authorization') === `Bearer ${token}`) {
      endSession('expired');
    }
    return toApiError(body, status);
  });
}

import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { configureApiClient } from '@/lib/api-client';
import { retryPolicy } from '@/lib/retry';
import { restoreSession } from '@/lib/session';
import { resetMockApi } from './mock-api';
import { expectAnswersByTheSchema, server } from './server';

// As in index.html; axe checks that the page declares its language.
document.documentElement.lang = 'en';
configureApiClient();
// Retries as in the app, without the half-second waits (a test's Retry-After still counts).
retryPolicy.baseDelayMs = 1;
// jsdom has no layout, hence no scrolling; the router's scroll restoration calls it.
window.scrollTo = () => undefined;

// Any request without a handler is a bug in the test or the app: fail loudly.
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(async () => {
  cleanup();
  await expectAnswersByTheSchema();
  server.resetHandlers();
  resetMockApi();
  sessionStorage.clear();
  restoreSession();
});
afterAll(() => server.close());

/**
 * Renders the whole app at a URL, as a user would open it: the real routes, providers and
 * API client, with the network answered by the mock API.
 */
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { AppProviders } from '@/app/providers';
import { routes } from '@/app/routes';
import { createQueryClient } from '@/lib/query-client';
import { startSession } from '@/lib/session';
import { createUser, issueToken } from './mock-api';

export function renderApp(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const user = userEvent.setup();
  render(
    <AppProviders queryClient={createQueryClient({ retry: false })}>
      <RouterProvider router={router} />
    </AppProviders>,
  );
  /** Where the user is now, path and query, e.g. "/items?page=2". */
  const currentUrl = () => `${router.state.location.pathname}${router.state.location.search}`;
  return { user, router, currentUrl };
}

/** A user who is already logged in (fields override the defaults of `createUser`). */
export function signedInUser(fields: Parameters<typeof createUser>[0] = {}) {
  const account = createUser(fields);
  startSession(issueToken(account.id), 1800);
  return account;
}

import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { startSession } from '@/lib/session';
import { createItems, createUser, issueToken, liveTokens, revokeTokens } from '@/testing/mock-api';
import { renderApp, signedInUser } from '@/testing/render-app';

async function logIn(user: ReturnType<typeof renderApp>['user'], email: string, password: string) {
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Log in' }));
}

describe('the signed-in pages', () => {
  it('send a visitor to log in, then on to the page they asked for', async () => {
    createUser({ email: 'ada@example.com', password: 'correct horse battery' });
    const { user, currentUrl } = renderApp('/account');

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/login?next=%2Faccount');

    await logIn(user, 'ada@example.com', 'correct horse battery');

    expect(await screen.findByRole('heading', { name: 'Account' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/account');
  });

  it('send the user to log in when the server rejects the token, and back afterwards', async () => {
    const account = signedInUser({ email: 'ada@example.com', password: 'correct horse battery' });
    createItems(account.id, 25);
    const { user, currentUrl } = renderApp('/items');
    await screen.findByText('Page 1 of 2');

    // The password was changed in another tab: this tab's token no longer works.
    revokeTokens(account.id);
    await user.click(screen.getByRole('button', { name: 'Next page' }));

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Your session has expired. Please log in again.',
    );

    await logIn(user, 'ada@example.com', 'correct horse battery');

    expect(await screen.findByText('Page 2 of 2')).toBeInTheDocument();
    expect(currentUrl()).toBe('/items?page=2');
    expect(screen.getByRole('heading', { name: 'Item 5' })).toBeInTheDocument();
  });

  it('end the session when the token expires, even without a request', async () => {
    const account = createUser();
    startSession(issueToken(account.id), 0.2);
    const { currentUrl } = renderApp('/items');
    await screen.findByRole('heading', { name: 'No items yet' });

    expect(await screen.findByRole('heading', { name: 'Log in' }, { timeout: 2000 })).toBeVisible();
    expect(screen.getByRole('status')).toHaveTextContent('Your session has expired.');
    expect(currentUrl()).toBe('/login?next=%2Fitems');
  });

  it('log out on the server too, to the log-in page, with nothing to return to', async () => {
    const account = signedInUser();
    const { user, currentUrl } = renderApp('/items');

    await user.click(await screen.findByRole('button', { name: 'Log out' }));

    expect(await screen.findByRole('status')).toHaveTextContent('You have been logged out.');
    expect(currentUrl()).toBe('/login');
    expect(screen.queryByRole('button', { name: 'Log out' })).not.toBeInTheDocument();
    expect(liveTokens(account.id)).toBe(0);
  });

  it('never show the previous user’s data to the next one', async () => {
    const ada = signedInUser({ email: 'ada@example.com' });
    createItems(ada.id, 1);
    createUser({ email: 'grace@example.com', password: 'cobol-1959' });
    const { user } = renderApp('/items');
    await screen.findByRole('heading', { name: 'Item 1' });

    await user.click(screen.getByRole('button', { name: 'Log out' }));
    await screen.findByRole('heading', { name: 'Log in' });
    await logIn(user, 'grace@example.com', 'cobol-1959');

    expect(await screen.findByRole('heading', { name: 'No items yet' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Item 1' })).not.toBeInTheDocument();
  });

  it('ignore a return address on another site', async () => {
    createUser({ email: 'ada@example.com', password: 'correct horse battery' });
    const { user, currentUrl } = renderApp('/login?next=//evil.example/phish');

    await logIn(user, 'ada@example.com', 'correct horse battery');

    await waitFor(() => expect(currentUrl()).toBe('/items'));
  });
});

import { screen } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from '@/testing/axe';
import { createItems, itemsOf, problem } from '@/testing/mock-api';
import { renderApp, signedInUser } from '@/testing/render-app';
import { server } from '@/testing/server';

describe('deleting the account', () => {
  it('asks first, then deletes and says so on the log-in page', async () => {
    const account = signedInUser();
    createItems(account.id, 2);
    const { user, currentUrl } = renderApp('/account');

    await user.click(await screen.findByRole('button', { name: 'Delete account' }));
    expect(
      screen.getByText('Delete your account and all your items? This cannot be undone.'),
    ).toBeVisible();
    await expectNoSeriousA11yViolations();
    await user.click(screen.getByRole('button', { name: 'Yes, delete my account' }));

    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your account has been deleted.');
    expect(currentUrl()).toBe('/login');
    expect(itemsOf(account.id)).toEqual([]);
  });

  it('does nothing on Cancel', async () => {
    signedInUser();
    const { user } = renderApp('/account');

    await user.click(await screen.findByRole('button', { name: 'Delete account' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    expect(screen.getByRole('button', { name: 'Delete account' })).toHaveFocus();
    expect(screen.getByRole('heading', { name: 'Account' })).toBeInTheDocument();
  });

  it('reports a failure and stays signed in', async () => {
    signedInUser();
    server.use(
      http.delete('*/api/v1/users/me', () =>
        problem(500, 'internal_error', 'Internal server error'),
      ),
    );
    const { user } = renderApp('/account');

    await user.click(await screen.findByRole('button', { name: 'Delete account' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete my account' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Internal server error');
    expect(screen.getByRole('button', { name: 'Log out' })).toBeInTheDocument();
  });
});

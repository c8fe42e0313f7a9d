import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { getToken } from '@/lib/session';
import { renderApp, signedInUser } from '@/testing/render-app';

async function changePassword(
  user: ReturnType<typeof renderApp>['user'],
  current: string,
  next: string,
) {
  await user.type(await screen.findByLabelText('Current password'), current);
  await user.type(screen.getByLabelText('New password'), next);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('changing the password', () => {
  it('changes it, keeps this tab signed in with the fresh token', async () => {
    const account = signedInUser({ password: 'old password' });
    const oldToken = getToken();
    const { user } = renderApp('/account');

    await changePassword(user, 'old password', 'new password');

    expect(await screen.findByRole('status')).toHaveTextContent('Your password has been changed.');
    expect(account.password).toBe('new password');
    expect(getToken()).not.toBe(oldToken);
    expect(screen.getByLabelText('Current password')).toHaveValue('');

    // The new token works: the app still talks to the API as this user.
    await user.click(screen.getByRole('link', { name: 'Items' }));
    expect(await screen.findByRole('heading', { name: 'No items yet' })).toBeInTheDocument();
  });

  it('puts a wrong current password on the current-password field', async () => {
    signedInUser({ password: 'old password' });
    const { user } = renderApp('/account');

    await changePassword(user, 'not my password', 'new password');

    expect(await screen.findByText('The current password is incorrect')).toBeInTheDocument();
    expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription(
      'The current password is incorrect',
    );
  });

  it('refuses a short new password before calling the API', async () => {
    signedInUser({ password: 'old password' });
    const { user } = renderApp('/account');

    await changePassword(user, 'old password', 'short');

    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(
      /Use at least 8 characters/,
    );
  });
});

import { screen } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from '@/testing/axe';
import { problem } from '@/testing/mock-api';
import { renderApp, signedInUser } from '@/testing/render-app';
import { server } from '@/testing/server';

describe('changing the name', () => {
  it('saves the new name and confirms it', async () => {
    const account = signedInUser({ full_name: 'Ada Lovelace', email: 'ada@example.com' });
    const { user } = renderApp('/account');

    expect(await screen.findByText('ada@example.com')).toBeInTheDocument();
    await expectNoSeriousA11yViolations();
    const name = screen.getByLabelText('Full name');
    expect(name).toHaveValue('Ada Lovelace');

    await user.clear(name);
    await user.type(name, 'Ada King');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Your name has been saved.');
    expect(name).toHaveValue('Ada King');
    expect(account.full_name).toBe('Ada King');
  });

  it('refuses an empty name before calling the API', async () => {
    signedInUser();
    const { user } = renderApp('/account');

    await user.clear(await screen.findByLabelText('Full name'));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(screen.getByLabelText('Full name')).toHaveAccessibleDescription('Enter your name.');
  });

  it('shows the API’s validation message on the field', async () => {
    signedInUser();
    server.use(
      http.patch('*/api/v1/users/me', () =>
        problem(422, 'validation_error', [
          { field: 'full_name', location: 'body', message: 'Name contains invalid characters' },
        ]),
      ),
    );
    const { user } = renderApp('/account');

    await user.type(await screen.findByLabelText('Full name'), '\u0007');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Name contains invalid characters')).toBeInTheDocument();
    expect(screen.queryByText('Your name has been saved.')).not.toBeInTheDocument();
  });
});

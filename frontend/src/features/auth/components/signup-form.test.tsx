import { screen } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from '@/testing/axe';
import { createUser, problem } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

async function fillIn(
  user: ReturnType<typeof renderApp>['user'],
  fields: { name: string; email: string; password: string },
) {
  await user.type(screen.getByLabelText('Full name'), fields.name);
  await user.type(screen.getByLabelText('Email'), fields.email);
  await user.type(screen.getByLabelText('Password'), fields.password);
  await user.click(screen.getByRole('button', { name: 'Sign up' }));
}

describe('sign up', () => {
  it('creates the account, logs in and shows the empty list', async () => {
    const { user, currentUrl } = renderApp('/signup');
    await expectNoSeriousA11yViolations();

    await fillIn(user, {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      password: 'cobol-1959',
    });

    expect(await screen.findByRole('heading', { name: 'No items yet' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
  });

  it('puts "email taken" next to the email field', async () => {
    createUser({ email: 'grace@example.com' });
    const { user } = renderApp('/signup');

    await fillIn(user, {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      password: 'cobol-1959',
    });

    const email = screen.getByLabelText('Email');
    expect(
      await screen.findByText('An account with this email already exists'),
    ).toBeInTheDocument();
    expect(email).toHaveAccessibleDescription('An account with this email already exists');
    expect(email).toBeInvalid();
    expect(email).toHaveFocus();
    await expectNoSeriousA11yViolations();
  });

  it('shows the API’s verdict on a weak password on the password field', async () => {
    server.use(
      http.post('*/api/v1/auth/signup', () =>
        problem(422, 'validation_error', [
          { field: 'password', location: 'body', message: 'Password is too common' },
        ]),
      ),
    );
    const { user } = renderApp('/signup');

    await fillIn(user, { name: 'Grace Hopper', email: 'grace@example.com', password: 'password1' });

    expect(await screen.findByText('Password is too common')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(/Password is too common/);
  });

  it('refuses a short password before calling the API', async () => {
    const { user } = renderApp('/signup');

    await fillIn(user, { name: 'Grace Hopper', email: 'grace@example.com', password: 'short' });

    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription(
      /Use at least 8 characters/,
    );
    expect(screen.getByRole('heading', { name: 'Create your account' })).toBeInTheDocument();
  });

  it('shows an unexpected server failure at the top of the form', async () => {
    server.use(
      http.post('*/api/v1/auth/signup', () =>
        problem(500, 'internal_error', 'Internal server error'),
      ),
    );
    const { user } = renderApp('/signup');

    await fillIn(user, {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      password: 'cobol-1959',
    });

    expect(await screen.findByRole('alert')).toHaveTextContent('Internal server error');
  });
});

describe('sign up when the server fails on the way', () => {
  it('retries with the same Idempotency-Key and creates one account', async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post('*/api/v1/auth/signup', ({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        if (keys.length > 1) return; // the mock API answers
        return problem(503, 'service_unavailable', 'The database is unavailable, retry shortly');
      }),
    );
    const { user, currentUrl } = renderApp('/signup');

    await fillIn(user, {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      password: 'cobol-1959',
    });

    expect(await screen.findByRole('heading', { name: 'No items yet' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
  });
});

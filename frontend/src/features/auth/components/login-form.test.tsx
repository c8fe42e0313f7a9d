import { screen } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousA11yViolations } from '@/testing/axe';
import { createUser, problem } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

describe('log in', () => {
  it('logs in with the right password and shows the items page', async () => {
    createUser({ email: 'ada@example.com', password: 'correct horse battery' });
    const { user, currentUrl } = renderApp('/login');
    await expectNoSeriousA11yViolations();

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('heading', { name: 'Your items' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
    expect(screen.getByRole('button', { name: 'Log out' })).toBeInTheDocument();
  });

  it('says so at the top of the form when the credentials are wrong', async () => {
    createUser({ email: 'ada@example.com', password: 'correct horse battery' });
    const { user } = renderApp('/login');

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect email or password');
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeInTheDocument();
    await expectNoSeriousA11yViolations();
  });

  it('asks for the missing fields without calling the API', async () => {
    const { user } = renderApp('/login');

    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription('Enter your email address.');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('Enter your password.');
    expect(screen.getByLabelText('Email')).toHaveFocus();
  });

  it('explains a rate limit from nginx', async () => {
    server.use(
      http.post('*/api/v1/auth/login', () =>
        problem(429, 'rate_limited', 'Too many requests, slow down'),
      ),
    );
    const { user } = renderApp('/login');

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever1');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Too many requests, slow down');
  });

  it('explains when the server cannot be reached', async () => {
    server.use(http.post('*/api/v1/auth/login', () => HttpResponse.error()));
    const { user } = renderApp('/login');

    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'whatever1');
    await user.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the server');
  });
});

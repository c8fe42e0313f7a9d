import { screen } from '@testing-library/react';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import { retryPolicy } from '@/lib/retry';
import { expectNoSeriousA11yViolations } from '@/testing/axe';
import { createItemHandler, createItems, itemsOf, problem } from '@/testing/mock-api';
import { renderApp, signedInUser } from '@/testing/render-app';
import { server } from '@/testing/server';

describe('creating an item', () => {
  it('saves it and shows it at the top of the list', async () => {
    const owner = signedInUser();
    createItems(owner.id, 2);
    const { user, currentUrl } = renderApp('/items');

    await user.click(await screen.findByRole('link', { name: 'New item' }));
    expect(screen.getByRole('heading', { name: 'New item' })).toBeInTheDocument();
    await expectNoSeriousA11yViolations();
    await user.type(screen.getByLabelText('Title'), 'Buy milk');
    await user.type(screen.getByLabelText('Description'), 'Semi-skimmed, two litres');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('heading', { name: 'Buy milk' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
    expect(screen.getAllByRole('heading', { level: 2 })[0]).toHaveTextContent('Buy milk');
    expect(screen.getByText('Semi-skimmed, two litres')).toBeInTheDocument();
  });

  it('asks for a title before calling the API', async () => {
    signedInUser();
    const { user } = renderApp('/items/new');

    await user.type(screen.getByLabelText('Title'), '   ');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(screen.getByLabelText('Title')).toHaveAccessibleDescription('Give the item a title.');
    expect(screen.getByLabelText('Title')).toHaveFocus();
  });

  it('shows the API’s validation message on the field it names', async () => {
    const owner = signedInUser();
    server.use(
      http.post('*/api/v1/items', () =>
        problem(422, 'validation_error', [
          { field: 'description', location: 'body', message: 'Description contains a null byte' },
        ]),
      ),
    );
    const { user } = renderApp('/items/new');

    await user.type(screen.getByLabelText('Title'), 'Buy milk');
    await user.type(screen.getByLabelText('Description'), 'odd text');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Description contains a null byte')).toBeInTheDocument();
    expect(screen.getByLabelText('Description')).toHaveAccessibleDescription(
      /Description contains a null byte/,
    );
    expect(itemsOf(owner.id)).toEqual([]);
    await expectNoSeriousA11yViolations();
  });

  it('shows other failures at the top of the form and keeps what was typed', async () => {
    signedInUser();
    server.use(
      http.post('*/api/v1/items', () =>
        problem(413, 'payload_too_large', 'Request body too large'),
      ),
    );
    const { user } = renderApp('/items/new');

    await user.type(screen.getByLabelText('Title'), 'Buy milk');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Request body too large');
    expect(screen.getByLabelText('Title')).toHaveValue('Buy milk');
  });
});

describe('editing an item', () => {
  it('saves the changes and shows them in the list', async () => {
    const owner = signedInUser();
    const [item] = createItems(owner.id, 1);
    const { user, currentUrl } = renderApp('/items');

    await user.click(await screen.findByRole('link', { name: 'Edit' }));
    const title = await screen.findByLabelText('Title');
    expect(title).toHaveValue('Item 1');
    expect(currentUrl()).toBe(`/items/${item?.id}`);
    await expectNoSeriousA11yViolations();

    await user.clear(title);
    await user.type(title, 'Renamed item');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('heading', { name: 'Renamed item' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
  });

  it('returns to the page of the list it was opened from', async () => {
    const owner = signedInUser();
    createItems(owner.id, 25);
    const { user, currentUrl } = renderApp('/items?page=2');

    await user.click(await screen.findByRole('link', { name: 'Item 1' }));
    await user.type(await screen.findByLabelText('Title'), ' (first)');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('heading', { name: 'Item 1 (first)' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items?page=2');
  });

  it('shows the API’s validation message on the title', async () => {
    const owner = signedInUser();
    const [item] = createItems(owner.id, 1);
    server.use(
      http.patch('*/api/v1/items/:itemId', () =>
        problem(422, 'validation_error', [
          { field: 'title', location: 'body', message: 'Title must not be blank' },
        ]),
      ),
    );
    const { user } = renderApp(`/items/${item?.id}`);

    await user.type(await screen.findByLabelText('Title'), ' again');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Title must not be blank')).toBeInTheDocument();
    expect(screen.getByLabelText('Title')).toHaveAccessibleDescription('Title must not be blank');
  });

  it('deletes the item after confirmation and returns to the list', async () => {
    const owner = signedInUser();
    const [item] = createItems(owner.id, 1);
    const { user, currentUrl } = renderApp(`/items/${item?.id}`);

    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));

    expect(await screen.findByRole('heading', { name: 'No items yet' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
  });

  it('says so when the item does not exist or belongs to someone else', async () => {
    signedInUser();
    renderApp('/items/3f0c1a8e-0000-4000-8000-000000000000');

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This item does not exist, or it is not yours.',
    );
    expect(screen.queryByLabelText('Title')).not.toBeInTheDocument();
  });
});

describe('creating an item when the server fails on the way', () => {
  it('retries with the same Idempotency-Key and creates the item once', async () => {
    const owner = signedInUser();
    const keys: (string | null)[] = [];
    let dropped = false;
    server.use(
      http.post('*/api/v1/items', async ({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        if (dropped) return; // the mock API answers: the stored item, not a new one
        dropped = true;
        // The item is saved, then the worker dies before answering: nginx says 502.
        await createItemHandler({ request });
        return problem(502, 'bad_gateway', 'The service is unreachable, try again shortly');
      }),
    );
    const { user } = renderApp('/items/new');

    await user.type(screen.getByLabelText('Title'), 'Buy milk');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('heading', { name: 'Buy milk' })).toBeInTheDocument();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(itemsOf(owner.id).map((item) => item.title)).toEqual(['Buy milk']);
  });

  it('sends the same key when Save is clicked again after a failure', async () => {
    const owner = signedInUser();
    const keys: (string | null)[] = [];
    server.use(
      http.post('*/api/v1/items', ({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        if (keys.length > 1 + retryPolicy.retries) return;
        return problem(503, 'service_unavailable', 'The database is unavailable, retry shortly');
      }),
    );
    const { user } = renderApp('/items/new');

    await user.type(screen.getByLabelText('Title'), 'Buy milk');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('heading', { name: 'Buy milk' })).toBeInTheDocument();
    expect(new Set(keys).size).toBe(1);
    expect(itemsOf(owner.id).map((item) => item.title)).toEqual(['Buy milk']);
  });
});

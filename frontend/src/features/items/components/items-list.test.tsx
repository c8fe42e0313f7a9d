import { screen, within } from '@testing-library/react';
import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { retryPolicy } from '@/lib/retry';
import { expectNoSeriousA11yViolations } from '@/testing/axe';
import { createItems, itemsOf, problem } from '@/testing/mock-api';
import { renderApp, signedInUser } from '@/testing/render-app';
import { server } from '@/testing/server';

const itemTitles = () =>
  within(screen.getByRole('list'))
    .getAllByRole('heading')
    .map((heading) => heading.textContent);

describe('the items list', () => {
  it('shows a loading state, then the items, newest first', async () => {
    const owner = signedInUser();
    createItems(owner.id, 3);
    server.use(
      http.get('*/api/v1/items', async () => {
        await delay(50);
      }),
    );
    renderApp('/items');

    expect(screen.getByRole('status')).toHaveTextContent('Loading items…');
    expect(await screen.findByRole('heading', { name: 'Item 3' })).toBeInTheDocument();
    expect(itemTitles()).toEqual(['Item 3', 'Item 2', 'Item 1']);
    expect(screen.queryByRole('navigation', { name: 'Pagination' })).not.toBeInTheDocument();
    await expectNoSeriousA11yViolations();
  });

  it('shows an empty state to a new account', async () => {
    signedInUser();
    renderApp('/items');

    expect(await screen.findByRole('heading', { name: 'No items yet' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Create your first item' })).toHaveAttribute(
      'href',
      '/items/new',
    );
    await expectNoSeriousA11yViolations();
  });

  it('pages through the items twenty at a time', async () => {
    const owner = signedInUser();
    createItems(owner.id, 45);
    const { user, currentUrl } = renderApp('/items');

    expect(await screen.findByText('Page 1 of 3')).toBeInTheDocument();
    expect(itemTitles()).toHaveLength(20);
    expect(itemTitles()[0]).toBe('Item 45');
    expect(screen.getByRole('button', { name: 'Previous page' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('Page 2 of 3')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Item 25' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items?page=2');

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByRole('heading', { name: 'Item 5' })).toBeInTheDocument();
    expect(itemTitles()).toHaveLength(5);
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByRole('heading', { name: 'Item 25' })).toBeInTheDocument();
    await expectNoSeriousA11yViolations();
  });

  it('opens at the page named in the address', async () => {
    const owner = signedInUser();
    createItems(owner.id, 25);
    renderApp('/items?page=2');

    expect(await screen.findByRole('heading', { name: 'Item 5' })).toBeInTheDocument();
    expect(screen.getByText('Page 2 of 2')).toBeInTheDocument();
  });

  it('asks before deleting an item, and keeps it on Cancel', async () => {
    const owner = signedInUser();
    createItems(owner.id, 2);
    const { user } = renderApp('/items');
    const entry = (await screen.findByRole('heading', { name: 'Item 1' })).closest('li');
    if (!entry) throw new Error('Item 1 is not in a list entry');

    await user.click(within(entry).getByRole('button', { name: 'Delete' }));
    expect(within(entry).getByText('Delete “Item 1”? This cannot be undone.')).toBeVisible();
    expect(within(entry).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await expectNoSeriousA11yViolations();

    await user.click(within(entry).getByRole('button', { name: 'Cancel' }));
    expect(within(entry).getByRole('button', { name: 'Delete' })).toHaveFocus();
    expect(itemsOf(owner.id)).toHaveLength(2);

    await user.click(within(entry).getByRole('button', { name: 'Delete' }));
    await user.click(within(entry).getByRole('button', { name: 'Yes, delete' }));

    await screen.findByRole('heading', { name: 'Item 2' });
    expect(screen.queryByRole('heading', { name: 'Item 1' })).not.toBeInTheDocument();
    expect(itemsOf(owner.id).map((item) => item.title)).toEqual(['Item 2']);
  });

  it('moves back a page when the last item of the last page is deleted', async () => {
    const owner = signedInUser();
    createItems(owner.id, 21);
    const { user, currentUrl } = renderApp('/items?page=2');

    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));

    expect(await screen.findByRole('heading', { name: 'Item 21' })).toBeInTheDocument();
    expect(currentUrl()).toBe('/items');
    expect(itemTitles()).toHaveLength(20);
  });

  it('tells the user when a delete fails', async () => {
    const owner = signedInUser();
    createItems(owner.id, 1);
    server.use(
      http.delete('*/api/v1/items/:itemId', () =>
        problem(503, 'service_unavailable', 'The database is unavailable, try again shortly'),
      ),
    );
    const { user } = renderApp('/items');

    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The database is unavailable, try again shortly',
    );
    expect(screen.getByRole('heading', { name: 'Item 1' })).toBeInTheDocument();
  });

  it('offers to try again when the list cannot be loaded', async () => {
    const owner = signedInUser();
    createItems(owner.id, 1);
    // Down for the first request and its automatic retries, back when the user tries again.
    let failures = 1 + retryPolicy.retries;
    server.use(
      http.get('*/api/v1/items', () => {
        if (failures === 0) return;
        failures -= 1;
        return new HttpResponse('<html>Bad gateway</html>', { status: 502 });
      }),
    );
    const { user } = renderApp('/items');

    expect(await screen.findByRole('alert')).toHaveTextContent('The service is unavailable');
    await user.click(screen.getByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('heading', { name: 'Item 1' })).toBeInTheDocument();
  });
});

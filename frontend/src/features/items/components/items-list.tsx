import { useEffect, useId } from 'react';
import { Link, useLocation } from 'react-router';
import { Alert } from '@/components/alert';
import { Pagination } from '@/components/pagination';
import type { ItemPublic } from '@/lib/api/types.gen';
import { errorMessage } from '@/lib/api-error';
import { PAGE_SIZE, useItems } from '../api/get-items';
import { DeleteItemButton } from './delete-item-button';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

type ItemsListProps = { page: number; onPageChange: (page: number) => void };

/** One page of the user's items, newest first, with its loading, empty and error states. */
export function ItemsList({ page, onPageChange }: ItemsListProps) {
  const items = useItems(page);
  const total = items.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));

  // Deleting the last item of the last page leaves the user on a page past the end.
  useEffect(() => {
    if (items.isSuccess && !items.isPlaceholderData && page > pageCount) onPageChange(pageCount);
  }, [items.isSuccess, items.isPlaceholderData, page, pageCount, onPageChange]);

  if (items.isPending) {
    return (
      <p role="status" className="muted">
        Loading items…
      </p>
    );
  }
  if (items.isError) {
    return (
      <Alert tone="error">
        <p>Your items could not be loaded. {errorMessage(items.error)}</p>
        <button type="button" className="button" onClick={() => items.refetch()}>
          Try again
        </button>
      </Alert>
    );
  }
  if (items.data.total === 0) {
    return (
      <div className="empty-state">
        <h2>No items yet</h2>
        <p>Items you create appear here, newest first.</p>
        <Link to="/items/new" className="button button-primary">
          Create your first item
        </Link>
      </div>
    );
  }
  return (
    <>
      <ul className="item-list" aria-busy={items.isPlaceholderData}>
        {items.data.items.map((item) => (
          <ItemsListEntry key={item.id} item={item} />
        ))}
      </ul>
      <Pagination page={page} pageCount={pageCount} onPageChange={onPageChange} />
    </>
  );
}

function ItemsListEntry({ item }: { item: ItemPublic }) {
  const titleId = useId();
  // The edit page returns here, to this page of the list, after saving or deleting.
  const location = useLocation();
  const returnTo = { returnTo: `${location.pathname}${location.search}` };
  return (
    <li className="item-card">
      <h2 id={titleId} className="item-title">
        <Link to={`/items/${item.id}`} state={returnTo}>
          {item.title}
        </Link>
      </h2>
      {item.description && <p className="item-description">{item.description}</p>}
      <p className="muted">
        Created{' '}
        <time dateTime={item.created_at}>{dateFormat.format(new Date(item.created_at))}</time>
      </p>
      <div className="actions">
        <Link
          to={`/items/${item.id}`}
          state={returnTo}
          className="button"
          aria-describedby={titleId}
        >
          Edit
        </Link>
        <DeleteItemButton item={item} describedBy={titleId} />
      </div>
    </li>
  );
}

import { useCallback } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ItemsList } from '@/features/items/components/items-list';
import { PageTitle } from '../page-title';

/** The page number lives in the URL (`?page=2`), so reloads, links and Back keep it. */
function pageFrom(search: URLSearchParams): number {
  const page = Number(search.get('page') ?? '1');
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

export function ItemsPage() {
  const [search, setSearch] = useSearchParams();
  const onPageChange = useCallback(
    (page: number) => setSearch(page > 1 ? { page: String(page) } : {}),
    [setSearch],
  );
  return (
    <>
      <PageTitle>Items</PageTitle>
      <div className="page-header">
        <h1>Your items</h1>
        <Link to="/items/new" className="button button-primary">
          New item
        </Link>
      </div>
      <ItemsList page={pageFrom(search)} onPageChange={onPageChange} />
    </>
  );
}

import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Alert } from '@/components/alert';
import { useItem } from '@/features/items/api/get-item';
import { DeleteItemButton } from '@/features/items/components/delete-item-button';
import { ItemForm } from '@/features/items/components/item-form';
import { ApiError, errorMessage } from '@/lib/api-error';
import { PageTitle } from '../page-title';

/** The page of the list the user came from (set by the list's links), else the first. */
function listPageFrom(state: unknown): string {
  if (typeof state === 'object' && state !== null && 'returnTo' in state) {
    const { returnTo } = state;
    if (typeof returnTo === 'string' && returnTo.startsWith('/items')) return returnTo;
  }
  return '/items';
}

export function EditItemPage() {
  const { itemId = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const item = useItem(itemId);
  const listPage = listPageFrom(location.state);
  const backToItems = () => navigate(listPage);

  return (
    <section className="narrow">
      <PageTitle>Edit item</PageTitle>
      <h1>Edit item</h1>
      {item.isPending && (
        <p role="status" className="muted">
          Loading item…
        </p>
      )}
      {item.isError && (
        <Alert tone="error">
          {item.error instanceof ApiError && item.error.status === 404
            ? 'This item does not exist, or it is not yours.'
            : errorMessage(item.error)}
        </Alert>
      )}
      {item.isSuccess && (
        <>
          <ItemForm key={item.data.id} item={item.data} onSaved={backToItems} />
          <DeleteItemButton item={item.data} onDeleted={backToItems} />
        </>
      )}
      <p>
        <Link to={listPage}>Back to your items</Link>
      </p>
    </section>
  );
}

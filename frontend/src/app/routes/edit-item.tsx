import { Link, useNavigate, useParams } from 'react-router';
import { Alert } from '@/components/alert';
import { useItem } from '@/features/items/api/get-item';
import { DeleteItemButton } from '@/features/items/components/delete-item-button';
import { ItemForm } from '@/features/items/components/item-form';
import { ApiError, errorMessage } from '@/lib/api-error';
import { PageTitle } from '../page-title';

export function EditItemPage() {
  const { itemId = '' } = useParams();
  const navigate = useNavigate();
  const item = useItem(itemId);
  const backToItems = () => navigate('/items');

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
        <Link to="/items">Back to your items</Link>
      </p>
    </section>
  );
}

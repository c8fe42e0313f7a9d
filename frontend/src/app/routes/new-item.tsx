import { Link, useNavigate } from 'react-router';
import { ItemForm } from '@/features/items/components/item-form';
import { PageTitle } from '../page-title';

export function NewItemPage() {
  const navigate = useNavigate();
  return (
    <section className="narrow">
      <PageTitle>New item</PageTitle>
      <h1>New item</h1>
      {/* The list is newest first: the new item is at the top of page 1. */}
      <ItemForm onSaved={() => navigate('/items')} />
      <p>
        <Link to="/items">Back to your items</Link>
      </p>
    </section>
  );
}

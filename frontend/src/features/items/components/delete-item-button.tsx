import { ConfirmAction } from '@/components/confirm-action';
import type { ItemPublic } from '@/lib/api/types.gen';
import { errorMessage } from '@/lib/api-error';
import { useDeleteItem } from '../api/delete-item';

type DeleteItemButtonProps = {
  item: ItemPublic;
  onDeleted?: () => void;
  /** Id of the element naming the item, so "Delete" is announced with what it deletes. */
  describedBy?: string;
};

export function DeleteItemButton({ item, onDeleted, describedBy }: DeleteItemButtonProps) {
  const deleteItem = useDeleteItem(item.id);
  return (
    <ConfirmAction
      label="Delete"
      question={`Delete “${item.title}”? This cannot be undone.`}
      confirmLabel="Yes, delete"
      pendingLabel="Deleting…"
      isPending={deleteItem.isPending}
      error={deleteItem.isError ? errorMessage(deleteItem.error) : undefined}
      describedBy={describedBy}
      onConfirm={() => deleteItem.mutate(undefined, { onSuccess: onDeleted })}
    />
  );
}

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { itemsDeleteItem } from '@/lib/api/sdk.gen';
import { ITEMS_KEY } from './get-items';

export function useDeleteItem(itemId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await itemsDeleteItem({ path: { item_id: itemId } });
    },
    onSuccess: () => {
      // Dropped, not refetched: the item is gone and a refetch would only answer 404.
      queryClient.removeQueries({ queryKey: [...ITEMS_KEY, 'detail', itemId] });
      return queryClient.invalidateQueries({ queryKey: [...ITEMS_KEY, 'list'] });
    },
  });
}

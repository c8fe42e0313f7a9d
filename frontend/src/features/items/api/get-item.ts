import { useQuery } from '@tanstack/react-query';
import { itemsReadItem } from '@/lib/api/sdk.gen';
import { ITEMS_KEY } from './get-items';

export function useItem(itemId: string) {
  return useQuery({
    queryKey: [...ITEMS_KEY, 'detail', itemId],
    queryFn: async () => {
      const { data } = await itemsReadItem({ path: { item_id: itemId } });
      return data;
    },
  });
}

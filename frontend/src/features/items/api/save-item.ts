import { useMutation, useQueryClient } from '@tanstack/react-query';
import { itemsCreateItem, itemsUpdateItem } from '@/lib/api/sdk.gen';
import type { ItemPublic } from '@/lib/api/types.gen';
import { ITEMS_KEY } from './get-items';

export type ItemFields = { title: string; description: string };

/** An empty description is stored as none, not as "". */
function toBody({ title, description }: ItemFields) {
  return { title, description: description.trim() === '' ? null : description };
}

/** Creates an item, or updates it when `itemId` is given. */
export function useSaveItem(itemId?: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (fields: ItemFields): Promise<ItemPublic> => {
      const { data } = itemId
        ? await itemsUpdateItem({ path: { item_id: itemId }, body: toBody(fields) })
        : await itemsCreateItem({ body: toBody(fields) });
      return data;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ITEMS_KEY }),
  });
}

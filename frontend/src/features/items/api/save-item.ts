import { useMutation, useQueryClient } from '@tanstack/react-query';
import { itemsCreateItem, itemsUpdateItem } from '@/lib/api/sdk.gen';
import type { ItemPublic } from '@/lib/api/types.gen';
import { useIdempotencyKey } from '@/lib/idempotency-key';
import { ITEMS_KEY } from './get-items';

export type ItemFields = { title: string; description: string };

/** An empty description is stored as none, not as "". */
function toBody({ title, description }: ItemFields) {
  return { title, description: description.trim() === '' ? null : description };
}

/** Creates an item, or updates it when `itemId` is given. */
export function useSaveItem(itemId?: string) {
  const queryClient = useQueryClient();
  const idempotency = useIdempotencyKey();
  return useMutation({
    mutationFn: async (fields: ItemFields): Promise<ItemPublic> => {
      const body = toBody(fields);
      const { data } = itemId
        ? await itemsUpdateItem({ path: { item_id: itemId }, body })
        : await itemsCreateItem({
            body,
            headers: { 'Idempotency-Key': idempotency.keyFor(body) },
          });
      return data;
    },
    onSuccess: () => {
      idempotency.reset();
      return queryClient.invalidateQueries({ queryKey: ITEMS_KEY });
    },
  });
}

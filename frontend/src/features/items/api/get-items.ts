import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { itemsListItems } from '@/lib/api/sdk.gen';

export const PAGE_SIZE = 20;

/** Every items query key starts here, so one invalidation refreshes lists and details. */
export const ITEMS_KEY = ['items'] as const;

/** One page (1-based) of the user's items, newest first. */
export function useItems(page: number) {
  const offset = (page - 1) * PAGE_SIZE;
  return useQuery({
    queryKey: [...ITEMS_KEY, 'list', { offset, limit: PAGE_SIZE }],
    queryFn: async () => {
      const { data } = await itemsListItems({ query: { offset, limit: PAGE_SIZE } });
      return data;
    },
    // Keep showing the current page while the next one loads, instead of flashing "Loading".
    placeholderData: keepPreviousData,
  });
}

import { useQuery } from '@tanstack/react-query';
import { usersReadMe } from '@/lib/api/sdk.gen';

export const ME_KEY = ['me'] as const;

/** The signed-in user. */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      const { data } = await usersReadMe();
      return data;
    },
  });
}

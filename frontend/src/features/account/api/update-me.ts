import { useMutation, useQueryClient } from '@tanstack/react-query';
import { usersUpdateMe } from '@/lib/api/sdk.gen';
import type { UserUpdate } from '@/lib/api/types.gen';
import { ME_KEY } from './get-me';

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (changes: UserUpdate) => {
      const { data } = await usersUpdateMe({ body: changes });
      return data;
    },
    onSuccess: (user) => queryClient.setQueryData(ME_KEY, user),
  });
}

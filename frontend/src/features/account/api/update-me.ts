import { useMutation, useQueryClient } from '@tanstack/react-query';
import { updateMeApiV1UsersMePatch } from '@/lib/api/sdk.gen';
import type { UserUpdate } from '@/lib/api/types.gen';
import { ME_KEY } from './get-me';

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (changes: UserUpdate) => {
      const { data } = await updateMeApiV1UsersMePatch({ body: changes });
      return data;
    },
    onSuccess: (user) => queryClient.setQueryData(ME_KEY, user),
  });
}

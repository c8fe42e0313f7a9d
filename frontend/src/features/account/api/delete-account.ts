import { useMutation } from '@tanstack/react-query';
import { usersDeleteMe } from '@/lib/api/sdk.gen';
import { endSession } from '@/lib/session';

/** Deletes the account and its items; ending the session sends the user to the log-in page. */
export function useDeleteAccount() {
  return useMutation({
    mutationFn: async () => {
      await usersDeleteMe();
      endSession('deleted');
    },
  });
}

import { useMutation } from '@tanstack/react-query';
import { usersChangePassword } from '@/lib/api/sdk.gen';
import type { PasswordChange } from '@/lib/api/types.gen';
import { startSession } from '@/lib/session';

/** Changes the password. The server revokes every older token and answers with a fresh one,
 * which replaces ours so this tab stays signed in. */
export function useChangePassword() {
  return useMutation({
    mutationFn: async (change: PasswordChange) => {
      const { data } = await usersChangePassword({ body: change });
      startSession(data.access_token, data.expires_in);
    },
  });
}

import { useMutation } from '@tanstack/react-query';
import { authSignup } from '@/lib/api/sdk.gen';
import type { UserCreate } from '@/lib/api/types.gen';
import { useIdempotencyKey } from '@/lib/idempotency-key';
import { logIn } from './log-in';

/** Creates the account, then logs straight in: nobody wants to type the password twice. */
export function useSignUp() {
  const idempotency = useIdempotencyKey();
  return useMutation({
    mutationFn: async (account: UserCreate): Promise<void> => {
      await authSignup({
        body: account,
        headers: { 'Idempotency-Key': idempotency.keyFor(account) },
      });
      await logIn({ email: account.email, password: account.password });
    },
    onSuccess: () => idempotency.reset(),
  });
}

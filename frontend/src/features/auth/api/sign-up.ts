import { useMutation } from '@tanstack/react-query';
import { authSignup } from '@/lib/api/sdk.gen';
import type { UserCreate } from '@/lib/api/types.gen';
import { logIn } from './log-in';

/** Creates the account, then logs straight in: nobody wants to type the password twice. */
async function signUp(account: UserCreate): Promise<void> {
  await authSignup({ body: account });
  await logIn({ email: account.email, password: account.password });
}

export function useSignUp() {
  return useMutation({ mutationFn: signUp });
}

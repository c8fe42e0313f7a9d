import { useMutation } from '@tanstack/react-query';
import { authLogin } from '@/lib/api/sdk.gen';
import { startSession } from '@/lib/session';

export type Credentials = { email: string; password: string };

/** Exchanges email and password for a token (OAuth2 password form) and starts the session. */
export async function logIn({ email, password }: Credentials): Promise<void> {
  const { data } = await authLogin({ body: { username: email, password } });
  startSession(data.access_token, data.expires_in);
}

export function useLogIn() {
  return useMutation({ mutationFn: logIn });
}

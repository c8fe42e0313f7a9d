import { authLogout } from '@/lib/api/sdk.gen';
import { endSession } from '@/lib/session';

/**
 * Ends the session on the server (every token of the account stops working), then here. The
 * local session ends even when the server cannot be reached: the user asked to leave.
 */
export async function logOut(): Promise<void> {
  try {
    await authLogout();
  } catch {
    // Offline or already signed out on the server: the token dies at its expiry anyway.
  } finally {
    endSession('logout');
  }
}

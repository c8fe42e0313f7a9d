import type { SignOutReason } from '@/lib/session';

/** Router state handed to the log-in page when a session ends. */
export type SignOutState = { signedOut: SignOutReason | null };

const NOTICES: Record<SignOutReason, string> = {
  expired: 'Your session has expired. Please log in again.',
  logout: 'You have been logged out.',
  deleted: 'Your account has been deleted.',
};

function isSignOutReason(value: unknown): value is SignOutReason {
  return value === 'expired' || value === 'logout' || value === 'deleted';
}

/** What to tell the user arriving at the log-in page, if anything. */
export function signOutNotice(state: unknown): string | null {
  if (typeof state !== 'object' || state === null || !('signedOut' in state)) return null;
  return isSignOutReason(state.signedOut) ? NOTICES[state.signedOut] : null;
}

import { Navigate, Outlet, useLocation } from 'react-router';
import { loginPathReturningTo } from '@/lib/return-to';
import { getLastSignOut, useSession } from '@/lib/session';
import type { SignOutState } from './sign-out-state';

/**
 * Renders the signed-in pages, or sends the user to log in. When the session expired (or
 * was never there) the log-in page returns them here afterwards; after "Log out" or a
 * deleted account there is nothing to return to.
 */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session) return <Outlet />;

  const reason = getLastSignOut();
  const here = `${location.pathname}${location.search}`;
  const to = reason === 'logout' || reason === 'deleted' ? '/login' : loginPathReturningTo(here);
  const state: SignOutState = { signedOut: reason };
  return <Navigate to={to} replace state={state} />;
}

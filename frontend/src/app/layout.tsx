import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { logOut } from '@/features/auth/api/log-out';
import { useSession } from '@/lib/session';
import { APP_NAME } from './page-title';

/** The frame of every page: a skip link, the header with navigation, then the page. */
export function Layout() {
  const session = useSession();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const firstPage = useRef(true);

  // After moving to another page, open it at the top and start keyboard and screen-reader
  // users at its content, not on a link that may no longer exist. (Not on the first page:
  // the browser handles that one.)
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run on every navigation, on purpose
  useEffect(() => {
    if (firstPage.current) firstPage.current = false;
    else {
      window.scrollTo(0, 0);
      main.current?.focus({ preventScroll: true });
    }
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          {APP_NAME}
        </Link>
        <nav aria-label="Main">
          {session ? (
            <>
              <NavLink to="/items" end>
                Items
              </NavLink>
              <NavLink to="/account">Account</NavLink>
              <button type="button" className="button" onClick={() => void logOut()}>
                Log out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login">Log in</NavLink>
              <NavLink to="/signup">Sign up</NavLink>
            </>
          )}
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

import { Link, NavLink, Outlet } from 'react-router';
import { endSession, useSession } from '@/lib/session';
import { APP_NAME } from './page-title';

/** The frame of every page: a skip link, the header with navigation, then the page. */
export function Layout() {
  const session = useSession();
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
              <button type="button" className="button" onClick={() => endSession('logout')}>
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
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

import { Link, Navigate, useLocation, useSearchParams } from 'react-router';
import { Alert } from '@/components/alert';
import { LoginForm } from '@/features/auth/components/login-form';
import { returnPathFrom } from '@/lib/return-to';
import { useSession } from '@/lib/session';
import { PageTitle } from '../page-title';
import { signOutNotice } from '../sign-out-state';

export function LoginPage() {
  const session = useSession();
  const [search] = useSearchParams();
  const location = useLocation();
  // Logging in starts the session, and this sends the user back to where they were.
  if (session) return <Navigate to={returnPathFrom(search)} replace />;

  const notice = signOutNotice(location.state);
  return (
    <section className="narrow">
      <PageTitle>Log in</PageTitle>
      <h1>Log in</h1>
      {notice && <Alert tone="info">{notice}</Alert>}
      <LoginForm />
      <p>
        No account yet? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}

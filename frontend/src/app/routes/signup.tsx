import { Link, Navigate, useSearchParams } from 'react-router';
import { SignupForm } from '@/features/auth/components/signup-form';
import { returnPathFrom } from '@/lib/return-to';
import { useSession } from '@/lib/session';
import { PageTitle } from '../page-title';

export function SignupPage() {
  const session = useSession();
  const [search] = useSearchParams();
  // Signing up logs the user in, and this takes them to their (empty) list.
  if (session) return <Navigate to={returnPathFrom(search)} replace />;

  return (
    <section className="narrow">
      <PageTitle>Sign up</PageTitle>
      <h1>Create your account</h1>
      <SignupForm />
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}

import { Alert } from '@/components/alert';
import { useMe } from '@/features/account/api/get-me';
import { ChangeNameForm } from '@/features/account/components/change-name-form';
import { ChangePasswordForm } from '@/features/account/components/change-password-form';
import { DeleteAccount } from '@/features/account/components/delete-account';
import { errorMessage } from '@/lib/api-error';
import { PageTitle } from '../page-title';

export function AccountPage() {
  const me = useMe();
  return (
    <section className="narrow">
      <PageTitle>Account</PageTitle>
      <h1>Account</h1>
      {me.isPending && (
        <p role="status" className="muted">
          Loading your account…
        </p>
      )}
      {me.isError && <Alert tone="error">{errorMessage(me.error)}</Alert>}
      {me.isSuccess && (
        <>
          <p>
            Signed in as <strong>{me.data.email}</strong>
          </p>
          <ChangeNameForm user={me.data} />
          <ChangePasswordForm />
          <DeleteAccount />
        </>
      )}
    </section>
  );
}

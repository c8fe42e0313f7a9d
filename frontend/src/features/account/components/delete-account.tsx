import { useId } from 'react';
import { ConfirmAction } from '@/components/confirm-action';
import { errorMessage } from '@/lib/api-error';
import { useDeleteAccount } from '../api/delete-account';

export function DeleteAccount() {
  const deleteAccount = useDeleteAccount();
  const headingId = useId();
  return (
    <section className="danger-zone" aria-labelledby={headingId}>
      <h2 id={headingId}>Delete account</h2>
      <p>This deletes your account and all your items for good.</p>
      <ConfirmAction
        label="Delete account"
        question="Delete your account and all your items? This cannot be undone."
        confirmLabel="Yes, delete my account"
        pendingLabel="Deleting…"
        isPending={deleteAccount.isPending}
        error={deleteAccount.isError ? errorMessage(deleteAccount.error) : undefined}
        onConfirm={() => deleteAccount.mutate()}
      />
    </section>
  );
}

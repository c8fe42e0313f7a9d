import { useForm } from 'react-hook-form';
import { Alert } from '@/components/alert';
import { TextField } from '@/components/form-field';
import { NEW_PASSWORD_HINT, newPasswordRules } from '@/lib/account-rules';
import type { PasswordChange } from '@/lib/api/types.gen';
import { showApiError } from '@/lib/form-errors';
import { useChangePassword } from '../api/change-password';

export function ChangePasswordForm() {
  const changePassword = useChangePassword();
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<PasswordChange>({ defaultValues: { current_password: '', new_password: '' } });

  const onSubmit = handleSubmit(async (change) => {
    try {
      await changePassword.mutateAsync(change);
      reset();
    } catch (error) {
      showApiError(error, setError, {
        fields: ['current_password', 'new_password'],
        byCode: { incorrect_password: 'current_password' },
      });
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <h2>Password</h2>
      {errors.root?.server && <Alert tone="error">{errors.root.server.message}</Alert>}
      {changePassword.isSuccess && (
        <Alert tone="success">
          Your password has been changed. Other sessions were logged out.
        </Alert>
      )}
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={errors.current_password?.message}
        {...register('current_password', { required: 'Enter your current password.' })}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={NEW_PASSWORD_HINT}
        error={errors.new_password?.message}
        {...register('new_password', newPasswordRules)}
      />
      <button type="submit" className="button button-primary" disabled={isSubmitting}>
        {isSubmitting ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

import { useForm } from 'react-hook-form';
import { Alert } from '@/components/alert';
import { TextField } from '@/components/form-field';
import {
  emailRules,
  fullNameRules,
  NEW_PASSWORD_HINT,
  newPasswordRules,
} from '@/lib/account-rules';
import type { UserCreate } from '@/lib/api/types.gen';
import { showApiError } from '@/lib/form-errors';
import { useSignUp } from '../api/sign-up';

export function SignupForm() {
  const signUp = useSignUp();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<UserCreate>({ defaultValues: { full_name: '', email: '', password: '' } });

  const onSubmit = handleSubmit(async (account) => {
    try {
      await signUp.mutateAsync(account);
    } catch (error) {
      showApiError(error, setError, {
        fields: ['full_name', 'email', 'password'],
        byCode: { email_taken: 'email' },
      });
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {errors.root?.server && <Alert tone="error">{errors.root.server.message}</Alert>}
      <TextField
        label="Full name"
        autoComplete="name"
        error={errors.full_name?.message}
        {...register('full_name', fullNameRules)}
      />
      <TextField
        label="Email"
        type="email"
        autoComplete="email"
        error={errors.email?.message}
        {...register('email', emailRules)}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        hint={NEW_PASSWORD_HINT}
        error={errors.password?.message}
        {...register('password', newPasswordRules)}
      />
      <button type="submit" className="button button-primary" disabled={isSubmitting}>
        {isSubmitting ? 'Signing up…' : 'Sign up'}
      </button>
    </form>
  );
}

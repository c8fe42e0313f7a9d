import { useForm } from 'react-hook-form';
import { Alert } from '@/components/alert';
import { TextField } from '@/components/form-field';
import { showApiError } from '@/lib/form-errors';
import { type Credentials, useLogIn } from '../api/log-in';

/** Logs the user in; the log-in route then sends them on to where they were going. */
export function LoginForm() {
  const logIn = useLogIn();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<Credentials>({ defaultValues: { email: '', password: '' } });

  const onSubmit = handleSubmit(async (credentials) => {
    try {
      await logIn.mutateAsync(credentials);
    } catch (error) {
      showApiError(error, setError, {
        fields: ['email', 'password'],
        renamed: { username: 'email' },
      });
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {errors.root?.server && <Alert tone="error">{errors.root.server.message}</Alert>}
      <TextField
        label="Email"
        type="email"
        autoComplete="email"
        error={errors.email?.message}
        {...register('email', { required: 'Enter your email address.' })}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...register('password', { required: 'Enter your password.' })}
      />
      <button type="submit" className="button button-primary" disabled={isSubmitting}>
        {isSubmitting ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}

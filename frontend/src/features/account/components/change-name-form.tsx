import { useForm } from 'react-hook-form';
import { Alert } from '@/components/alert';
import { TextField } from '@/components/form-field';
import { fullNameRules } from '@/lib/account-rules';
import type { UserPublic } from '@/lib/api/types.gen';
import { showApiError } from '@/lib/form-errors';
import { useUpdateMe } from '../api/update-me';

type NameFields = { full_name: string };

export function ChangeNameForm({ user }: { user: UserPublic }) {
  const updateMe = useUpdateMe();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting, isDirty },
    // `values`, not `defaultValues`: the form follows the saved name once the save lands.
  } = useForm<NameFields>({ values: { full_name: user.full_name } });

  const onSubmit = handleSubmit(async (fields) => {
    try {
      await updateMe.mutateAsync(fields);
    } catch (error) {
      showApiError(error, setError, { fields: ['full_name'] });
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      <h2>Name</h2>
      {errors.root?.server && <Alert tone="error">{errors.root.server.message}</Alert>}
      {updateMe.isSuccess && !isDirty && <Alert tone="success">Your name has been saved.</Alert>}
      <TextField
        label="Full name"
        autoComplete="name"
        error={errors.full_name?.message}
        {...register('full_name', fullNameRules)}
      />
      <button type="submit" className="button button-primary" disabled={isSubmitting}>
        {isSubmitting ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

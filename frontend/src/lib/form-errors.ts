/**
 * Shows a failed submission where the user will look for it: a 422's messages on the fields
 * they name, a known error code on its field (e.g. `email_taken` on Email), anything else at
 * the top of the form (`errors.root.server`).
 */
import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError, errorMessage } from '@/lib/api-error';

type Placement<T extends FieldValues> = {
  /** The form's fields, named as the API names them. */
  fields: readonly Path<T>[];
  /** API field names that the form calls differently, e.g. `{ username: 'email' }`. */
  renamed?: Partial<Record<string, Path<T>>>;
  /** Error codes that belong next to a field, e.g. `{ email_taken: 'email' }`. */
  byCode?: Partial<Record<string, Path<T>>>;
};

export function showApiError<T extends FieldValues>(
  error: unknown,
  setError: UseFormSetError<T>,
  { fields, renamed = {}, byCode = {} }: Placement<T>,
): void {
  const toField = (name: string): Path<T> | undefined =>
    renamed[name] ?? fields.find((field) => field === name);

  if (error instanceof ApiError && error.fieldProblems.length > 0) {
    const unplaced: string[] = [];
    error.fieldProblems.forEach((problem, index) => {
      const field = toField(problem.field);
      if (field) setError(field, { message: problem.message }, { shouldFocus: index === 0 });
      else unplaced.push(`${problem.field}: ${problem.message}`);
    });
    if (unplaced.length > 0) setError('root.server', { message: unplaced.join(' ') });
    return;
  }

  const field = error instanceof ApiError ? byCode[error.code] : undefined;
  if (field) setError(field, { message: errorMessage(error) }, { shouldFocus: true });
  else setError('root.server', { message: errorMessage(error) });
}

import { useForm } from 'react-hook-form';
import { Alert } from '@/components/alert';
import { TextAreaField, TextField } from '@/components/form-field';
import type { ItemPublic } from '@/lib/api/types.gen';
import { showApiError } from '@/lib/form-errors';
import { type ItemFields, useSaveItem } from '../api/save-item';

type ItemFormProps = {
  /** The item to edit; without it the form creates a new one. */
  item?: ItemPublic;
  onSaved: (item: ItemPublic) => void;
};

/** Creates or edits an item. Limits mirror the API's: title 1 to 200, description ≤ 10,000. */
export function ItemForm({ item, onSaved }: ItemFormProps) {
  const saveItem = useSaveItem(item?.id);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<ItemFields>({
    defaultValues: { title: item?.title ?? '', description: item?.description ?? '' },
  });

  const onSubmit = handleSubmit(async (fields) => {
    try {
      onSaved(await saveItem.mutateAsync(fields));
    } catch (error) {
      showApiError(error, setError, { fields: ['title', 'description'] });
    }
  });

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {errors.root?.server && <Alert tone="error">{errors.root.server.message}</Alert>}
      <TextField
        label="Title"
        autoComplete="off"
        error={errors.title?.message}
        {...register('title', {
          validate: (value) => value.trim() !== '' || 'Give the item a title.',
          maxLength: { value: 200, message: 'Use at most 200 characters.' },
        })}
      />
      <TextAreaField
        label="Description"
        hint="Optional, up to 10,000 characters."
        rows={6}
        error={errors.description?.message}
        {...register('description', {
          maxLength: { value: 10_000, message: 'Use at most 10,000 characters.' },
        })}
      />
      <button type="submit" className="button button-primary" disabled={isSubmitting}>
        {isSubmitting ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

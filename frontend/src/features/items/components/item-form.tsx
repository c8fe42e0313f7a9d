import { useForm } from 'react-hook-form';
import { Alert } from '@/components/alert';
import { TextAreaField, TextField } from '@/components/form-field';
import { ItemCreateSchema } from '@/lib/api/schemas.gen';
import type { ItemPublic } from '@/lib/api/types.gen';
import { atMost, characters } from '@/lib/field-limits';
import { showApiError } from '@/lib/form-errors';
import { type ItemFields, useSaveItem } from '../api/save-item';

const title = ItemCreateSchema.properties.title;
const [description] = ItemCreateSchema.properties.description.anyOf;

type ItemFormProps = {
  /** The item to edit; without it the form creates a new one. */
  item?: ItemPublic;
  onSaved: (item: ItemPublic) => void;
};

/** Creates or edits an item, within the limits the API states. */
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
          maxLength: atMost(title),
        })}
      />
      <TextAreaField
        label="Description"
        hint={`Optional, up to ${characters(description.maxLength)}.`}
        rows={6}
        error={errors.description?.message}
        {...register('description', { maxLength: atMost(description) })}
      />
      <button type="submit" className="button button-primary" disabled={isSubmitting}>
        {isSubmitting ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

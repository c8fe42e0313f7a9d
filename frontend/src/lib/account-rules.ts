/**
 * Field rules for the account forms (sign-up, account page), with the limits the API states
 * (`@/lib/field-limits`), so most mistakes are caught before a round trip. The API stays the
 * judge: its 422 messages land on the same fields.
 */
import type { RegisterOptions } from 'react-hook-form';
import { UserCreateSchema } from '@/lib/api/schemas.gen';
import { atLeast, atMost } from '@/lib/field-limits';

const { full_name: fullName, password } = UserCreateSchema.properties;

export const fullNameRules = {
  required: 'Enter your name.',
  validate: (value: string) => value.trim() !== '' || 'Enter your name.',
  maxLength: atMost(fullName),
} satisfies RegisterOptions;

export const emailRules = {
  required: 'Enter your email address.',
  pattern: { value: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: 'Enter a valid email address.' },
} satisfies RegisterOptions;

export const newPasswordRules = {
  required: 'Choose a password.',
  minLength: atLeast(password),
  maxLength: atMost(password),
} satisfies RegisterOptions;

export const NEW_PASSWORD_HINT = `${password.minLength} to ${password.maxLength} characters.`;

/**
 * Field rules for the account forms (sign-up, account page), mirroring the limits the API
 * enforces (docs/architecture.md) so most mistakes are caught before a round trip. The API
 * stays the judge: its 422 messages land on the same fields.
 */
import type { RegisterOptions } from 'react-hook-form';

export const fullNameRules = {
  required: 'Enter your name.',
  validate: (value: string) => value.trim() !== '' || 'Enter your name.',
  maxLength: { value: 255, message: 'Use at most 255 characters.' },
} satisfies RegisterOptions;

export const emailRules = {
  required: 'Enter your email address.',
  pattern: { value: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: 'Enter a valid email address.' },
} satisfies RegisterOptions;

export const newPasswordRules = {
  required: 'Choose a password.',
  minLength: { value: 8, message: 'Use at least 8 characters.' },
  maxLength: { value: 128, message: 'Use at most 128 characters.' },
} satisfies RegisterOptions;

export const NEW_PASSWORD_HINT = '8 to 128 characters.';

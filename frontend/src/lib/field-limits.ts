/**
 * Length rules for form fields, built from the limits the API states in its schema (the
 * generated `@/lib/api/schemas.gen`, see docs/architecture.md), so a form never repeats a number.
 */

/** A number as the messages write it: 10000 -> "10,000". */
export function characters(count: number): string {
  return `${count.toLocaleString('en-US')} characters`;
}

export function atLeast(field: { readonly minLength: number }) {
  return { value: field.minLength, message: `Use at least ${characters(field.minLength)}.` };
}

export function atMost(field: { readonly maxLength: number }) {
  return { value: field.maxLength, message: `Use at most ${characters(field.maxLength)}.` };
}

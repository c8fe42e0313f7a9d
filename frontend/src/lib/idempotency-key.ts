import { useRef } from 'react';

/**
 * The Idempotency-Key of a create (docs/architecture.md, "Retries"). One key per thing the user
 * means to create: sending the same body again (an automatic retry, or Save clicked again after
 * an error) reuses the key, so a create that did reach the server is not made twice; another
 * body, or the next create after a success, gets a fresh key.
 */
export function useIdempotencyKey() {
  const last = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor(body: unknown): string {
      const serialized = JSON.stringify(body);
      if (last.current?.body !== serialized) {
        last.current = { body: serialized, key: crypto.randomUUID() };
      }
      return last.current.key;
    },
    /** After a success: the next create is a new one. */
    reset(): void {
      last.current = null;
    },
  };
}

/**
 * The signed-in session: the bearer token and when it expires.
 *
 * The token lives in this module's memory, mirrored to sessionStorage so a reload of the same
 * tab keeps the user signed in. sessionStorage is per tab and emptied when the tab closes; it is
 * never shared with other tabs or sent to the server like a cookie. The server's tokens are
 * short-lived, and the session ends on its own at the expiry the server announced, so a token
 * read by an injected script is worth little for long. See docs/architecture.md, "Front end".
 */
import { useSyncExternalStore } from 'react';

export type Session = { token: string; expiresAt: number };

/** Why a session ended: the log-in page tells the user which. */
export type SignOutReason = 'logout' | 'expired' | 'deleted';

const STORAGE_KEY = 'session';
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

let current: Session | null = null;
let lastSignOut: SignOutReason | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function persist(session: Session | null): void {
  try {
    if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled (private modes, quotas): the in-memory session still works.
  }
}

function readStored(): Session | null {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'token' in parsed &&
      'expiresAt' in parsed &&
      typeof parsed.token === 'string' &&
      typeof parsed.expiresAt === 'number'
    ) {
      return { token: parsed.token, expiresAt: parsed.expiresAt };
    }
  } catch {
    // Unreadable or corrupt: start signed out.
  }
  return null;
}

function activate(session: Session | null): void {
  clearTimeout(expiryTimer);
  current = session;
  persist(session);
  if (session) {
    // End the session when the server says the token dies, rather than on the next failed call.
    // (setTimeout fires at once past 2^31-1 ms, hence the cap.)
    const delay = Math.min(session.expiresAt - Date.now(), MAX_TIMER_DELAY_MS);
    expiryTimer = setTimeout(() => endSession('expired'), delay);
  }
}

/** Starts (or replaces) the session with a token the server just issued. */
export function startSession(token: string, expiresInSeconds: number): void {
  lastSignOut = null;
  activate({ token, expiresAt: Date.now() + expiresInSeconds * 1000 });
  notify();
}

/** Forgets the token. */
export function endSession(reason: SignOutReason): void {
  if (!current) return;
  lastSignOut = reason;
  activate(null);
  notify();
}

/** Restores the session this tab had before a reload, if it has not expired. */
export function restoreSession(): void {
  lastSignOut = null;
  const stored = readStored();
  activate(stored && stored.expiresAt > Date.now() ? stored : null);
  notify();
}

export function getToken(): string | null {
  return current?.token ?? null;
}

export function getLastSignOut(): SignOutReason | null {
  return lastSignOut;
}

/** Calls listener whenever the session starts or ends; returns the unsubscribe function. */
export function subscribeToSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current session, re-rendering the caller when it starts or ends. */
export function useSession(): Session | null {
  return useSyncExternalStore(subscribeToSession, () => current);
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { endSession, getToken, restoreSession, startSession } from './session';

describe('the session', () => {
  afterEach(() => vi.useRealTimers());

  it('survives a reload of the same tab', () => {
    startSession('abc', 60);
    // A reload empties memory; sessionStorage is what is left.
    restoreSession();
    expect(getToken()).toBe('abc');
  });

  it('is not restored once the server’s expiry has passed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    startSession('abc', 60);
    vi.setSystemTime(Date.now() + 61_000);
    restoreSession();
    expect(getToken()).toBeNull();
  });

  it('leaves nothing behind in storage when it ends', () => {
    startSession('abc', 60);
    endSession('logout');
    expect(sessionStorage.length).toBe(0);
    restoreSession();
    expect(getToken()).toBeNull();
  });
});

/**
 * Where to send the user after they log in: back to the page that asked them to.
 * The path travels in the log-in page's `?next=` parameter.
 */

export const DEFAULT_PAGE = '/items';

export function loginPathReturningTo(path: string): string {
  return `/login?${new URLSearchParams({ next: path })}`;
}

/** The `next` parameter when it is a path on this site, so a crafted link cannot send the
 * user elsewhere after logging in (an open redirect). */
export function returnPathFrom(search: URLSearchParams): string {
  const next = search.get('next');
  if (next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')) return next;
  return DEFAULT_PAGE;
}

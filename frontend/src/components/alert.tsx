import type { ReactNode } from 'react';

type AlertProps = { tone: 'error' | 'success' | 'info'; children: ReactNode };

/** A message at the top of a form or page. Errors interrupt (`role="alert"`); confirmations
 * and notices wait their turn (`role="status"`). */
export function Alert({ tone, children }: AlertProps) {
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} className={`alert alert-${tone}`}>
      {children}
    </div>
  );
}

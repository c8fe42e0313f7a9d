export const APP_NAME = 'Reference App';

/** Sets the document title, which screen readers announce on navigation. (React 19 hoists a
 * <title> rendered anywhere into <head>.) */
export function PageTitle({ children }: { children: string }) {
  return <title>{`${children} · ${APP_NAME}`}</title>;
}

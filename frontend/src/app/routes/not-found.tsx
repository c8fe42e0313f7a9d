import { Link } from 'react-router';
import { PageTitle } from '../page-title';

export function NotFoundPage() {
  return (
    <section className="narrow">
      <PageTitle>Page not found</PageTitle>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>
      </p>
    </section>
  );
}

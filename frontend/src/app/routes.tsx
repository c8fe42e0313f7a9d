import { Navigate, type RouteObject } from 'react-router';
import { Layout } from './layout';
import { RequireSession } from './require-session';
import { AccountPage } from './routes/account';
import { EditItemPage } from './routes/edit-item';
import { ItemsPage } from './routes/items';
import { LoginPage } from './routes/login';
import { NewItemPage } from './routes/new-item';
import { NotFoundPage } from './routes/not-found';
import { SignupPage } from './routes/signup';

// Every page is in the first bundle: the whole app stays well under the 150 KB budget, and one
// chunk means the first page never waits for a second round trip.
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <Navigate to="/items" replace /> },
      { path: 'login', element: <LoginPage /> },
      { path: 'signup', element: <SignupPage /> },
      {
        element: <RequireSession />,
        children: [
          { path: 'items', element: <ItemsPage /> },
          { path: 'items/new', element: <NewItemPage /> },
          { path: 'items/:itemId', element: <EditItemPage /> },
          { path: 'account', element: <AccountPage /> },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

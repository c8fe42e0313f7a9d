import { setupServer } from 'msw/node';
import { handlers } from './mock-api';

/** The network of every test. `server.use(...)` overrides a handler for one test. */
export const server = setupServer(...handlers);

import { setupServer } from 'msw/node';
import { handlers } from './mock-api';
import { contractProblems } from './openapi';

/** The network of every test. `server.use(...)` overrides a handler for one test. */
export const server = setupServer(...handlers);

// Every answer a test gets, from the mock API or from a test's own handler, is checked against
// the OpenAPI schema: a documented status with the documented body, and no success for a
// request the API refuses.
const checks: Promise<string[]>[] = [];
// A copy taken before a handler reads the body, by request id.
const sent = new Map<string, Request>();
server.events.on('request:start', ({ request, requestId }) => {
  sent.set(requestId, request.clone());
});
server.events.on('response:mocked', ({ request, requestId, response }) => {
  checks.push(contractProblems(sent.get(requestId) ?? request, response.clone()));
  sent.delete(requestId);
});

/** Throws when an answer of the test just run broke the schema. */
export async function expectAnswersByTheSchema(): Promise<void> {
  const problems = (await Promise.all(checks.splice(0))).flat();
  if (problems.length > 0)
    throw new Error(`The mocked API broke its OpenAPI schema:\n${problems.join('\n')}`);
}

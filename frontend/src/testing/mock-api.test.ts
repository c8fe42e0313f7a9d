import { describe, expect, it } from 'vitest';
import { ItemCreateSchema } from '@/lib/api/schemas.gen';
import { createItems, createUser, issueToken } from './mock-api';
import { operationAt } from './openapi';

const API = 'http://localhost/api/v1';

/** The schema of a query parameter of GET /items. */
function pageParameter(name: string) {
  const parameter = operationAt('get', '/api/v1/items').parameters?.find(
    (candidate) => candidate.name === name,
  );
  return parameter?.schema as { default: number; maximum: number };
}

function signedIn() {
  const user = createUser();
  return { user, headers: { Authorization: `Bearer ${issueToken(user.id)}` } };
}

describe('the mock API, by the OpenAPI schema', () => {
  it('refuses a page size the API refuses, as the API does', async () => {
    const { headers } = signedIn();
    const { maximum } = pageParameter('limit');

    const tooMany = await fetch(`${API}/items?limit=${maximum + 1}`, { headers });
    const most = await fetch(`${API}/items?limit=${maximum}`, { headers });

    expect(tooMany.status).toBe(422);
    expect(await tooMany.json()).toEqual({
      error: 'validation_error',
      detail: [
        {
          field: 'limit',
          location: 'query',
          message: `Input should be less than or equal to ${maximum}`,
        },
      ],
    });
    expect(most.status).toBe(200);
    expect((await most.json()).limit).toBe(maximum);
  });

  it('pages by the default the schema states when no limit is sent', async () => {
    const { user, headers } = signedIn();
    const size = pageParameter('limit').default;
    createItems(user.id, size + 1);

    const page = await (await fetch(`${API}/items`, { headers })).json();

    expect(page).toMatchObject({ total: size + 1, offset: 0, limit: size });
    expect(page.items).toHaveLength(size);
  });

  it('refuses a title longer than the schema allows', async () => {
    const { headers } = signedIn();
    const create = (title: string) =>
      fetch(`${API}/items`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title }),
      });

    const { maxLength } = ItemCreateSchema.properties.title;

    const tooLong = await create('x'.repeat(maxLength + 1));
    const longest = await create('x'.repeat(maxLength));

    expect(tooLong.status).toBe(422);
    expect((await tooLong.json()).detail).toEqual([
      {
        field: 'title',
        location: 'body',
        message: `String should have at most ${maxLength} characters`,
      },
    ]);
    expect(longest.status).toBe(201);
  });

  it('names the one problem of an optional field, not every branch of its schema', async () => {
    const { user, headers } = signedIn();
    const [item] = createItems(user.id, 1);
    const [text] = ItemCreateSchema.properties.description.anyOf;

    const answer = await fetch(`${API}/items/${item?.id}`, {
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'x'.repeat(text.maxLength + 1) }),
    });

    expect(answer.status).toBe(422);
    expect((await answer.json()).detail).toEqual([
      {
        field: 'description',
        location: 'body',
        message: `String should have at most ${text.maxLength} characters`,
      },
    ]);
  });

  it('asks for a token where the schema secures the operation, and only there', async () => {
    const anonymous = await fetch(`${API}/users/me`);
    const login = await fetch(`${API}/auth/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'nobody@example.com', password: 'wrong' }),
    });

    expect(anonymous.status).toBe(401);
    expect((await login.json()).error).toBe('invalid_credentials');
  });
});

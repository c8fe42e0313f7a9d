import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { contractProblems } from './openapi';

const API = 'http://localhost/api/v1';
const item = {
  id: crypto.randomUUID(),
  title: 'Notes',
  description: null,
  owner_id: crypto.randomUUID(),
  created_at: '2024-05-01T12:00:00Z',
  updated_at: '2024-05-01T12:00:00Z',
};
const readItem = () => new Request(`${API}/items/${item.id}`);

describe('the check of mocked answers against the OpenAPI schema', () => {
  it('passes an answer the schema describes', async () => {
    expect(await contractProblems(readItem(), HttpResponse.json(item))).toEqual([]);
  });

  it('flags a field the API never returns, and one it always does', async () => {
    const { title: _, ...untitled } = item;

    const [extra] = await contractProblems(readItem(), HttpResponse.json({ ...item, secret: 1 }));
    const [missing] = await contractProblems(readItem(), HttpResponse.json(untitled));

    expect(extra).toMatch(/additional properties \(secret\)/);
    expect(missing).toMatch(/must have required property 'title'/);
  });

  it('flags a success for a request the API refuses', async () => {
    const page = { items: [], total: 0, offset: 0, limit: 1000 };

    const [problem] = await contractProblems(
      new Request(`${API}/items?limit=1000`),
      HttpResponse.json(page),
    );

    expect(problem).toMatch(/answered 200 to a request the API refuses.*"field":"limit"/);
  });

  it('flags a status the operation does not declare, and a route the API does not have', async () => {
    const teapot = HttpResponse.json({ error: 'teapot', detail: 'No' }, { status: 418 });

    expect(await contractProblems(readItem(), teapot)).toEqual([
      `GET /api/v1/items/${item.id}: status 418 is not in the schema`,
    ]);
    expect(await contractProblems(new Request(`${API}/things`), HttpResponse.json({}))).toEqual([
      'GET /api/v1/things: no such operation in the OpenAPI schema',
    ]);
  });

  it("allows a proxy's error page, but a JSON error must have the error shape", async () => {
    const page = new HttpResponse('<html>Bad gateway</html>', { status: 502 });
    const shapeless = HttpResponse.json({ message: 'oops' }, { status: 500 });

    expect(await contractProblems(readItem(), page)).toEqual([]);
    expect(await contractProblems(readItem(), shapeless)).toHaveLength(1);
  });
});

/**
 * An in-memory stand-in for the backend, answering like the real API (docs/architecture.md):
 * same paths, bodies, status codes and error shape. Tests seed it, then use the app.
 *
 * Which routes exist, which need a token, what a valid request is (field limits, paging bounds)
 * and the defaults of the query all come from the backend's OpenAPI schema (`./openapi`); the
 * handlers hold only the behaviour. Every answer is checked against the schema too (`./server`).
 */
import { HttpResponse, http } from 'msw';
import type { ItemPublic, UserPublic } from '@/lib/api/types.gen';
import { checkRequest, type FieldProblem, operationAt, pathParams } from './openapi';

type UserRecord = UserPublic & { password: string };

const users = new Map<string, UserRecord>();
const tokens = new Map<string, string>(); // token -> user id
let items: ItemPublic[] = [];
/** Answers stored by Idempotency-Key, as the backend does: scope + key -> body and answer. */
const replays = new Map<string, { body: string; status: number; answer: unknown }>();
let clock = Date.parse('2024-05-01T12:00:00Z');

/** Strictly increasing timestamps, so "newest first" is well defined. */
function now(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

export function resetMockApi(): void {
  users.clear();
  tokens.clear();
  items = [];
  replays.clear();
}

/** The stored answer for a keyed create, a 409 for the key with another body, or null. */
function replayOf(request: Request, scope: string, body: Body): Response | null {
  const key = request.headers.get('Idempotency-Key');
  const stored = key === null ? undefined : replays.get(`${scope}:${key}`);
  if (!stored) return null;
  if (stored.body !== JSON.stringify(body))
    return problem(409, 'idempotency_key_reused', 'This Idempotency-Key was already used');
  return HttpResponse.json(stored.answer as Body, {
    status: stored.status,
    headers: { 'Idempotent-Replayed': 'true' },
  });
}

function remember(request: Request, scope: string, body: Body, answer: unknown): void {
  const key = request.headers.get('Idempotency-Key');
  if (key !== null)
    replays.set(`${scope}:${key}`, { body: JSON.stringify(body), status: 201, answer });
}

export function createUser(fields: Partial<UserRecord> = {}): UserRecord {
  const user: UserRecord = {
    id: crypto.randomUUID(),
    email: 'ada@example.com',
    full_name: 'Ada Lovelace',
    password: 'correct horse battery',
    is_admin: false,
    created_at: now(),
    ...fields,
  };
  users.set(user.id, user);
  return user;
}

export function issueToken(userId: string): string {
  const token = `token-${crypto.randomUUID()}`;
  tokens.set(token, userId);
  return token;
}

/** What a password change elsewhere, or an expiry, does to the tokens a tab holds. */
export function revokeTokens(userId: string): void {
  for (const [token, owner] of tokens) if (owner === userId) tokens.delete(token);
}

/** How many tokens of the account the server still accepts. */
export function liveTokens(userId: string): number {
  return [...tokens.values()].filter((owner) => owner === userId).length;
}

/** Creates `count` items titled "Item 1" (oldest) to "Item {count}" (newest). */
export function createItems(ownerId: string, count: number): ItemPublic[] {
  const created = Array.from({ length: count }, (_, index) => {
    const stamp = now();
    return {
      id: crypto.randomUUID(),
      title: `Item ${index + 1}`,
      description: `Description of item ${index + 1}`,
      owner_id: ownerId,
      created_at: stamp,
      updated_at: stamp,
    };
  });
  items.push(...created);
  return created;
}

export function itemsOf(ownerId: string): ItemPublic[] {
  return items.filter((item) => item.owner_id === ownerId);
}

export function problem(status: number, error: string, detail: string | FieldProblem[]) {
  return HttpResponse.json({ error, detail }, { status });
}

function authenticate(request: Request): UserRecord | Response {
  const header = request.headers.get('Authorization');
  if (!header?.startsWith('Bearer ')) return problem(401, 'not_authenticated', 'Not authenticated');
  const user = users.get(tokens.get(header.slice('Bearer '.length)) ?? '');
  return user ?? problem(401, 'invalid_token', 'Your session is no longer valid');
}

function tokenFor(userId: string) {
  return { access_token: issueToken(userId), token_type: 'bearer', expires_in: 1800 };
}

function publicUser({ password: _, ...user }: UserRecord): UserPublic {
  return user;
}

type Body = Record<string, unknown>;
type Method = 'get' | 'post' | 'patch' | 'delete';

type Call = {
  request: Request;
  /** The body's fields the schema knows, valid by it. */
  body: Body;
  /** Query and path parameters, valid, with the schema's defaults filled in. */
  params: Record<string, unknown>;
  /** The signed-in user, for an operation the schema secures. */
  user: UserRecord;
};

/**
 * A resolver for the operation at `path` (as the schema writes it): the token checked when the
 * schema secures the operation, then the request checked by the schema (422 as the backend).
 */
function route(method: Method, path: string, answer: (call: Call) => Response | Promise<Response>) {
  const operation = operationAt(method, path);
  return async ({ request }: { request: Request }): Promise<Response> => {
    let user: UserRecord | undefined;
    if (operation.security) {
      const found = authenticate(request);
      if (found instanceof Response) return found;
      user = found;
    }
    const checked = await checkRequest(request, operation, pathParams(path, request.url) ?? {});
    if (checked.problems.length > 0) return problem(422, 'validation_error', checked.problems);
    return answer({
      request,
      body: checked.body,
      params: checked.params,
      get user(): UserRecord {
        if (!user) throw new Error(`${method} ${path} is public in the schema: it has no user`);
        return user;
      },
    });
  };
}

/** An MSW handler for the operation at `path` (`{item_id}` -> `:item_id`). */
function handle(
  method: Method,
  path: string,
  answer: (call: Call) => Response | Promise<Response>,
) {
  return http[method](`*${path.replace(/\{([^}]+)\}/g, ':$1')}`, route(method, path, answer));
}

const API = '/api/v1';

/** POST /api/v1/items, exported so a test can let it run and then drop its answer. */
export const createItemHandler = route('post', `${API}/items`, ({ request, body, user }) => {
  const replay = replayOf(request, `user:${user.id}`, body);
  if (replay) return replay;
  const stamp = now();
  const item: ItemPublic = {
    id: crypto.randomUUID(),
    title: String(body.title),
    description: body.description == null ? null : String(body.description),
    owner_id: user.id,
    created_at: stamp,
    updated_at: stamp,
  };
  items.push(item);
  remember(request, `user:${user.id}`, body, item);
  return HttpResponse.json(item, { status: 201 });
});

/** The item `params.item_id` of `user`, or the 404 the backend gives for another's too. */
function ownItem({ params, user }: Call): ItemPublic | Response {
  const item = items.find((it) => it.id === params.item_id && it.owner_id === user.id);
  return item ?? problem(404, 'not_found', 'Item not found');
}

export const handlers = [
  handle('post', `${API}/auth/signup`, ({ request, body }) => {
    const replay = replayOf(request, 'signup', body);
    if (replay) return replay;
    if ([...users.values()].some((user) => user.email === body.email))
      return problem(409, 'email_taken', 'An account with this email already exists');
    const user = createUser({
      email: String(body.email),
      password: String(body.password),
      full_name: String(body.full_name),
    });
    remember(request, 'signup', body, publicUser(user));
    return HttpResponse.json(publicUser(user), { status: 201 });
  }),

  handle('post', `${API}/auth/login`, ({ body }) => {
    const user = [...users.values()].find((candidate) => candidate.email === body.username);
    if (!user || user.password !== body.password)
      return problem(401, 'invalid_credentials', 'Incorrect email or password');
    return HttpResponse.json(tokenFor(user.id));
  }),

  handle('post', `${API}/auth/logout`, ({ user }) => {
    revokeTokens(user.id);
    return new HttpResponse(null, { status: 204 });
  }),

  handle('get', `${API}/users/me`, ({ user }) => HttpResponse.json(publicUser(user))),

  handle('patch', `${API}/users/me`, ({ body, user }) => {
    Object.assign(user, body);
    return HttpResponse.json(publicUser(user));
  }),

  handle('post', `${API}/users/me/password`, ({ body, user }) => {
    if (body.current_password !== user.password)
      return problem(400, 'incorrect_password', 'The current password is incorrect');
    user.password = String(body.new_password);
    revokeTokens(user.id);
    return HttpResponse.json(tokenFor(user.id));
  }),

  handle('delete', `${API}/users/me`, ({ user }) => {
    users.delete(user.id);
    revokeTokens(user.id);
    items = items.filter((item) => item.owner_id !== user.id);
    return new HttpResponse(null, { status: 204 });
  }),

  handle('get', `${API}/items`, ({ params, user }) => {
    const offset = Number(params.offset);
    const limit = Number(params.limit);
    const own = itemsOf(user.id).sort((a, b) => b.created_at.localeCompare(a.created_at));
    return HttpResponse.json({
      items: own.slice(offset, offset + limit),
      total: own.length,
      offset,
      limit,
    });
  }),

  http.post(`*${API}/items`, createItemHandler),

  handle('get', `${API}/items/{item_id}`, (call) => {
    const item = ownItem(call);
    return item instanceof Response ? item : HttpResponse.json(item);
  }),

  handle('patch', `${API}/items/{item_id}`, (call) => {
    const item = ownItem(call);
    if (item instanceof Response) return item;
    Object.assign(item, call.body, { updated_at: now() });
    return HttpResponse.json(item);
  }),

  handle('delete', `${API}/items/{item_id}`, (call) => {
    const item = ownItem(call);
    if (item instanceof Response) return item;
    items = items.filter((it) => it !== item);
    return new HttpResponse(null, { status: 204 });
  }),
];

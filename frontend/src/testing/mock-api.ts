/**
 * An in-memory stand-in for the backend, answering like the real API (docs/architecture.md):
 * same paths, bodies, status codes and error shape. Tests seed it, then use the app.
 */
import { HttpResponse, http } from 'msw';
import type { ItemPublic, UserPublic } from '@/lib/api/types.gen';

type UserRecord = UserPublic & { password: string };
type FieldProblem = { field: string; location: string; message: string };

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

function invalid(problems: FieldProblem[]) {
  return problem(422, 'validation_error', problems);
}

function lengthProblem(field: string, value: unknown, min: number, max: number) {
  if (typeof value !== 'string' || value.length < min)
    return { field, location: 'body', message: `String should have at least ${min} characters` };
  if (value.length > max)
    return { field, location: 'body', message: `String should have at most ${max} characters` };
  return null;
}

function emailProblem(value: unknown): FieldProblem | null {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)
    ? null
    : { field: 'email', location: 'body', message: 'value is not a valid email address' };
}

function problems(...found: (FieldProblem | null)[]): FieldProblem[] {
  return found.filter((entry): entry is FieldProblem => entry !== null);
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

const API = '*/api/v1';

/** POST /api/v1/items, exported so a test can let it run and then drop its answer. */
export async function createItemHandler({ request }: { request: Request }) {
  const user = authenticate(request);
  if (user instanceof Response) return user;
  const body = (await request.json()) as Body;
  const found = problems(
    lengthProblem('title', body.title, 1, 200),
    body.description == null ? null : lengthProblem('description', body.description, 0, 10_000),
  );
  if (found.length > 0) return invalid(found);
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
}

export const handlers = [
  http.post(`${API}/auth/signup`, async ({ request }) => {
    const body = (await request.json()) as Body;
    const found = problems(
      emailProblem(body.email),
      lengthProblem('password', body.password, 8, 128),
      lengthProblem('full_name', body.full_name, 1, 255),
    );
    if (found.length > 0) return invalid(found);
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

  http.post(`${API}/auth/login`, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const user = [...users.values()].find((candidate) => candidate.email === form.get('username'));
    if (!user || user.password !== form.get('password'))
      return problem(401, 'invalid_credentials', 'Incorrect email or password');
    return HttpResponse.json(tokenFor(user.id));
  }),

  http.post(`${API}/auth/logout`, ({ request }) => {
    const user = authenticate(request);
    if (user instanceof Response) return user;
    revokeTokens(user.id);
    return new HttpResponse(null, { status: 204 });
  }),

  http.get(`${API}/users/me`, ({ request }) => {
    const user = authenticate(request);
    return user instanceof Response ? user : HttpResponse.json(publicUser(user));
  }),

  http.patch(`${API}/users/me`, async ({ request }) => {
    const user = authenticate(request);
    if (user instanceof Response) return user;
    const body = (await request.json()) as Body;
    const found = problems(
      'full_name' in body ? lengthProblem('full_name', body.full_name, 1, 255) : null,
      'email' in body ? emailProblem(body.email) : null,
    );
    if (found.length > 0) return invalid(found);
    Object.assign(user, body);
    return HttpResponse.json(publicUser(user));
  }),

  http.post(`${API}/users/me/password`, async ({ request }) => {
    const user = authenticate(request);
    if (user instanceof Response) return user;
    const body = (await request.json()) as Body;
    const found = problems(lengthProblem('new_password', body.new_password, 8, 128));
    if (found.length > 0) return invalid(found);
    if (body.current_password !== user.password)
      return problem(400, 'incorrect_password', 'The current password is incorrect');
    user.password = String(body.new_password);
    revokeTokens(user.id);
    return HttpResponse.json(tokenFor(user.id));
  }),

  http.delete(`${API}/users/me`, ({ request }) => {
    const user = authenticate(request);
    if (user instanceof Response) return user;
    users.delete(user.id);
    revokeTokens(user.id);
    items = items.filter((item) => item.owner_id !== user.id);
    return new HttpResponse(null, { status: 204 });
  }),

  http.get(`${API}/items`, ({ request }) => {
    const user = authenticate(request);
    if (user instanceof Response) return user;
    const query = new URL(request.url).searchParams;
    const offset = Number(query.get('offset') ?? 0);
    const limit = Number(query.get('limit') ?? 20);
    const own = itemsOf(user.id).sort((a, b) => b.created_at.localeCompare(a.created_at));
    return HttpResponse.json({
      items: own.slice(offset, offset + limit),
      total: own.length,
      offset,
      limit,
    });
  }),

  http.post(`${API}/items`, createItemHandler),

  ...(['get', 'patch', 'delete'] as const).map((method) =>
    http[method](`${API}/items/:itemId`, async ({ request, params }) => {
      const user = authenticate(request);
      if (user instanceof Response) return user;
      const item = items.find((it) => it.id === params.itemId && it.owner_id === user.id);
      if (!item) return problem(404, 'not_found', 'Item not found');
      if (method === 'get') return HttpResponse.json(item);
      if (method === 'delete') {
        items = items.filter((it) => it !== item);
        return new HttpResponse(null, { status: 204 });
      }
      const body = (await request.json()) as Body;
      const found = problems(
        'title' in body ? lengthProblem('title', body.title, 1, 200) : null,
        body.description == null ? null : lengthProblem('description', body.description, 0, 10_000),
      );
      if (found.length > 0) return invalid(found);
      Object.assign(item, body, { updated_at: now() });
      return HttpResponse.json(item);
    }),
  ),
];

/**
 * The backend's OpenAPI schema (the `openapi.json` committed beside the generated client), read
 * by the tests: the mock API checks requests by it as the backend would, and every answer a test
 * receives is checked against it (`contractProblems`). Test code only: never imported by the app.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import document from '@/lib/api/openapi.json';

type Schema = Record<string, unknown>;
type Parameter = {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: Schema;
};
type Content = Record<string, { schema?: Schema }>;
export type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Content; required?: boolean };
  responses: Record<string, { content?: Content }>;
  security?: unknown[];
};
export type FieldProblem = { field: string; location: string; message: string };

const paths = document.paths as unknown as Record<string, Record<string, Operation>>;
const components = document.components.schemas as unknown as Record<string, Schema>;

/** Answers no operation declares: nginx's or the backend's size limit, a crash, a proxy's 502/504. */
const UNDECLARED_ANSWERS = new Set([413, 500, 502, 504]);

/** `schema` with its component references pointing into the schema registered as `id`. */
function pointedAt<T>(schema: T, id: string): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${id}#/$defs/`));
}

/** Every object schema closed: an answer carries exactly what the API returns (no password). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, closed(value)]),
  );
  return 'properties' in copy && !('additionalProperties' in copy)
    ? { ...copy, additionalProperties: false }
    : copy;
}

const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
addFormats(ajv);
// Requests: as the backend reads them (fields it does not know are ignored).
ajv.addSchema({ $id: 'request', $defs: pointedAt(components, 'request') });
// Answers: exactly the documented fields.
ajv.addSchema({ $id: 'answer', $defs: pointedAt(closed(components), 'answer') });

const compiled = new Map<string, ValidateFunction>();
function validator(schema: Schema, id: 'request' | 'answer'): ValidateFunction {
  const key = `${id}:${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(pointedAt(id === 'answer' ? (closed(schema) as Schema) : schema, id));
    compiled.set(key, validate);
  }
  return validate;
}

/** The path parameters of `url` if it is on the path template `path` (`/items/{item_id}`). */
export function pathParams(path: string, url: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(new URL(url).pathname);
  if (!match) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
}

/** The operation the schema declares for `method` on the path template `path`. */
export function operationAt(method: string, path: string): Operation {
  const operation = paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI schema`);
  return operation;
}

/** The operation serving `method` on `url`, with its path parameters, or null. */
export function findOperation(
  method: string,
  url: string,
): { operation: Operation; params: Record<string, string> } | null {
  for (const [path, operations] of Object.entries(paths)) {
    const operation = operations[method.toLowerCase()];
    const params = operation && pathParams(path, url);
    if (operation && params) return { operation, params };
  }
  return null;
}

/** What pydantic would say, so the mock's 422s read like the backend's. */
function message(error: ErrorObject): string {
  const { keyword, params } = error;
  const plural = (n: number) => `${n} character${n === 1 ? '' : 's'}`;
  switch (keyword) {
    case 'required':
      return 'Field required';
    case 'minLength':
      return `String should have at least ${plural(params.limit)}`;
    case 'maxLength':
      return `String should have at most ${plural(params.limit)}`;
    case 'pattern':
      return `String should match pattern '${params.pattern}'`;
    case 'minimum':
      return `Input should be greater than or equal to ${params.limit}`;
    case 'maximum':
      return `Input should be less than or equal to ${params.limit}`;
    case 'format':
      return params.format === 'email'
        ? 'value is not a valid email address'
        : `Input should be a valid ${params.format}`;
    case 'type':
      return `Input should be a valid ${params.type}`;
    default:
      return error.message ?? keyword;
  }
}

/** One problem per field: the first specific one (an `anyOf` only says no branch matched). */
function problemsOf(errors: ErrorObject[], location: string, field?: string): FieldProblem[] {
  const byField = new Map<string, FieldProblem>();
  for (const error of [...errors].sort(
    (a, b) => Number(a.keyword === 'anyOf') - Number(b.keyword === 'anyOf'),
  )) {
    const path = error.instancePath.split('/').filter(Boolean);
    if (error.keyword === 'required') path.push(String(error.params.missingProperty));
    const name = [field, ...path].filter(Boolean).join('.') || location;
    if (!byField.has(name)) byField.set(name, { field: name, location, message: message(error) });
  }
  return [...byField.values()];
}

/** A query or path value as the backend parses it: integers from their digits. */
function parsed(value: string, schema: Schema): unknown {
  return schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
}

export type CheckedRequest = {
  /** 422 field problems, as the backend would list them; empty when the request is valid. */
  problems: FieldProblem[];
  /** The body's fields that the schema knows (the backend ignores the others). */
  body: Record<string, unknown>;
  /** Query and path parameters, parsed, with the schema's defaults filled in. */
  params: Record<string, unknown>;
};

/** Checks a request against its operation, as FastAPI does before the route runs. */
export async function checkRequest(
  request: Request,
  operation: Operation,
  pathParams: Record<string, string>,
): Promise<CheckedRequest> {
  const problems: FieldProblem[] = [];
  const params: Record<string, unknown> = {};
  const query = new URL(request.url).searchParams;
  for (const parameter of operation.parameters ?? []) {
    const raw =
      parameter.in === 'query'
        ? query.get(parameter.name)
        : parameter.in === 'path'
          ? (pathParams[parameter.name] ?? null)
          : request.headers.get(parameter.name);
    if (raw === null) {
      if (parameter.required)
        problems.push({ field: parameter.name, location: parameter.in, message: 'Field required' });
      else if ('default' in parameter.schema) params[parameter.name] = parameter.schema.default;
      continue;
    }
    const value = parsed(raw, parameter.schema);
    const validate = validator(parameter.schema, 'request');
    if (validate(value)) params[parameter.name] = value;
    else problems.push(...problemsOf(validate.errors ?? [], parameter.in, parameter.name));
  }

  let body: Record<string, unknown> = {};
  const [type, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
  if (type && media?.schema) {
    const sent = readBody(type, await request.text());
    const validate = validator(media.schema, 'request');
    if (sent === undefined)
      problems.push({ field: 'body', location: 'body', message: 'JSON decode error' });
    else if (!validate(sent)) problems.push(...problemsOf(validate.errors ?? [], 'body'));
    else body = known(sent as Record<string, unknown>, media.schema);
  }
  return { problems, body, params };
}

/** A request body as the backend parses it; undefined when it cannot. */
function readBody(type: string, text: string): unknown {
  if (type === 'application/x-www-form-urlencoded')
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The fields of a valid `body` that its schema names (the backend ignores the others). */
function known(body: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const ref = typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
  const properties = (ref ? components[ref] : schema)?.properties;
  if (typeof properties !== 'object' || properties === null) return body;
  return Object.fromEntries(Object.entries(body).filter(([name]) => name in properties));
}

/** ajv's errors, with the field each names. */
function explained(errors: ErrorObject[]): string {
  return errors
    .map(({ instancePath, message, params }) => {
      const extra = params.additionalProperty ? ` (${params.additionalProperty})` : '';
      return `${instancePath || 'the body'} ${message}${extra}`;
    })
    .join('; ');
}

/** What is wrong with answering `response` to `request`, by the schema; empty when nothing. */
export async function contractProblems(request: Request, response: Response): Promise<string[]> {
  const call = `${request.method} ${new URL(request.url).pathname}`;
  if (response.type === 'error') return []; // a network failure: no answer to check
  const found = findOperation(request.method, request.url);
  if (!found) return [`${call}: no such operation in the OpenAPI schema`];
  const { operation, params } = found;
  const problems: string[] = [];

  const checked = await checkRequest(request, operation, params);
  if (checked.problems.length > 0 && response.ok)
    problems.push(
      `${call} answered ${response.status} to a request the API refuses: ${JSON.stringify(checked.problems)}`,
    );

  const declared = operation.responses[String(response.status)];
  if (!declared && !UNDECLARED_ANSWERS.has(response.status))
    return [...problems, `${call}: status ${response.status} is not in the schema`];
  const text = await response.text();
  const schema = declared
    ? declared.content?.['application/json']?.schema
    : { $ref: '#/components/schemas/ErrorResponse' };
  const json = response.headers.get('Content-Type')?.includes('application/json');
  if (!schema) {
    if (text !== '') problems.push(`${call}: a ${response.status} has no body, got ${text}`);
  } else if (json) {
    const validate = validator(schema, 'answer');
    if (!validate(JSON.parse(text)))
      problems.push(`${call} ${response.status}: ${explained(validate.errors ?? [])} in ${text}`);
  } else if (declared) {
    problems.push(`${call}: a ${response.status} answers JSON, got ${text}`);
  }
  return problems;
}

import { describe, expect, it } from 'vitest';
import { toApiError } from './api-error';

describe('toApiError', () => {
  it('keeps the code and sentence of the API’s error shape', () => {
    const error = toApiError({ error: 'not_found', detail: 'Item not found' }, 404);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'Item not found' });
  });

  it('keeps the field problems of a 422', () => {
    const problems = [{ field: 'title', location: 'body', message: 'Too short' }];
    const error = toApiError({ error: 'validation_error', detail: problems }, 422);
    expect(error.fieldProblems).toEqual(problems);
  });

  it('turns a body that is not the API’s shape into a readable sentence', () => {
    expect(toApiError('<html>502 Bad Gateway</html>', 502).message).toBe(
      'The service is unavailable right now. Please try again in a moment.',
    );
    expect(toApiError(new TypeError('Failed to fetch'), 0)).toMatchObject({
      code: 'network_error',
      message: 'Cannot reach the server. Check your connection and try again.',
    });
  });
});

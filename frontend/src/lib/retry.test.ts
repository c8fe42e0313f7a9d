import { describe, expect, it } from 'vitest';
import { createRetryingFetch, retryAfterMs, retryDelayMs, retryPolicy } from './retry';

const URL_ = 'http://app.test/api/v1/items';

/** A fake network answering `statuses` in turn, recording what it was sent. */
function network(...statuses: (number | 'down')[]) {
  const sent: Request[] = [];
  const send = async (request: Request) => {
    sent.push(request);
    const status = statuses[Math.min(sent.length - 1, statuses.length - 1)];
    if (status === 'down') throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify({ status }), {
      status,
      headers: status === 503 ? { 'Retry-After': '2' } : {},
    });
  };
  const waits: number[] = [];
  const wait = async (ms: number) => {
    waits.push(ms);
  };
  return { sent, waits, fetch: createRetryingFetch(send, wait) };
}

describe('retrying requests', () => {
  it('retries a GET on 502, 503 and 504 until it succeeds', async () => {
    const net = network(502, 503, 504, 200);

    const response = await net.fetch(URL_);

    expect(response.status).toBe(200);
    expect(net.sent).toHaveLength(4);
  });

  it('waits at least what Retry-After asks', async () => {
    const net = network(503, 200);

    await net.fetch(URL_);

    expect(net.waits).toHaveLength(1);
    expect(net.waits[0]).toBeGreaterThanOrEqual(2000);
  });

  it('gives up after the last retry with the last answer', async () => {
    const net = network(502);

    const response = await net.fetch(URL_);

    expect(response.status).toBe(502);
    expect(net.sent).toHaveLength(1 + retryPolicy.retries);
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    const net = network(502, 201);

    const response = await net.fetch(URL_, { method: 'POST', body: '{"title":"x"}' });

    expect(response.status).toBe(502);
    expect(net.sent).toHaveLength(1);
  });

  it('retries a keyed POST with the same key and body, also when no answer came', async () => {
    const net = network('down', 503, 201);

    const response = await net.fetch(URL_, {
      method: 'POST',
      body: '{"title":"x"}',
      headers: { 'Idempotency-Key': 'k-1' },
    });

    expect(response.status).toBe(201);
    expect(net.sent.map((request) => request.headers.get('Idempotency-Key'))).toEqual([
      'k-1',
      'k-1',
      'k-1',
    ]);
    expect(await Promise.all(net.sent.map((request) => request.text()))).toEqual([
      '{"title":"x"}',
      '{"title":"x"}',
      '{"title":"x"}',
    ]);
  });

  it('does not retry errors a retry cannot fix', async () => {
    for (const status of [400, 404, 409, 429, 500]) {
      const net = network(status, 200);
      expect((await net.fetch(URL_)).status).toBe(status);
      expect(net.sent).toHaveLength(1);
    }
  });
});

describe('the wait before a retry', () => {
  const policy = { retries: 3, baseDelayMs: 500, maxDelayMs: 10_000 };

  it('doubles, and honours a longer Retry-After', () => {
    const noJitter = () => 0;
    expect([0, 1, 2].map((n) => retryDelayMs(n, null, policy, noJitter))).toEqual([
      500, 1000, 2000,
    ]);
    expect(retryDelayMs(0, 1000, policy, noJitter)).toBe(1000);
    expect(retryDelayMs(2, 1000, policy, noJitter)).toBe(2000);
    expect(retryDelayMs(0, 60_000, policy, noJitter)).toBe(10_000);
  });

  it('adds at most 20% jitter', () => {
    expect(retryDelayMs(0, 1000, policy, () => 1)).toBe(1200);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterMs('1')).toBe(1000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
    const now = Date.parse('2026-11-29T12:00:00Z');
    expect(retryAfterMs('Sun, 29 Nov 2026 12:00:03 GMT', now)).toBe(3000);
  });
});

import { Client } from '@fcgi/client';
import { createServer } from '@fcgi/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_CHECKS, conformanceTests, useMockBackend } from '../src/index.js';
import { closeServer, listenLocal } from './listen-local.js';

describe('conformanceTests(it, address): one test per check, as a user writes it', () => {
  const server = createServer((_req, res) => res.end('ok'));
  let address = '';

  beforeAll(async () => {
    address = await listenLocal(server);
  });

  afterAll(async () => {
    await closeServer(server);
  });

  conformanceTests(it, () => address, { skip: ['padding'] });
});

describe('conformanceTests with any runner', () => {
  it('registers one named test per check that is not skipped, with a timeout', () => {
    const registered: { name: string; timeout: number | undefined }[] = [];
    conformanceTests((name, _body, timeout) => registered.push({ name, timeout }), '127.0.0.1:1', { skip: ['abort-request'], timeout: 100 });
    expect(registered).toHaveLength(CONFORMANCE_CHECKS.length - 1);
    expect(registered[0]!.name).toBe('MUST §4.1 get-values: GET_VALUES is answered with a well-formed GET_VALUES_RESULT');
    expect(registered.some((entry) => entry.name.includes('abort-request'))).toBe(false);
    expect(registered[0]!.timeout).toBeGreaterThan(100);
  });

  it('a registered test fails with ERR_FCGI_HARNESS_VIOLATION when its rule does not hold', async () => {
    const bodies: (() => Promise<void>)[] = [];
    conformanceTests((_name, body) => bodies.push(body), '127.0.0.1:1', { only: ['get-values'], timeout: 200 });
    expect(bodies).toHaveLength(1);
    await expect(bodies[0]!()).rejects.toMatchObject({ code: 'ERR_FCGI_HARNESS_VIOLATION' });
  });
});

describe('useMockBackend({ beforeAll, afterAll }, script)', () => {
  const backend = useMockBackend({ beforeAll, afterAll }, { respond: { body: 'from the mock' } });

  it('gives the running backend inside tests', async () => {
    const client = new Client({ address: backend().address, getValues: false });
    try {
      const response = await client.request({ params: { REQUEST_METHOD: 'GET' } });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('from the mock');
      expect(backend().requests).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('throws ERR_FCGI_HARNESS_NOT_RUNNING when used outside the hooks', () => {
    const hooks = { beforeAll: () => undefined, afterAll: () => undefined };
    const early = useMockBackend(hooks);
    expect(() => early()).toThrow(expect.objectContaining({ code: 'ERR_FCGI_HARNESS_NOT_RUNNING' }));
  });
});

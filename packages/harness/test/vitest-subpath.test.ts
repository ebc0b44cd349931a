import { Client } from '@fcgi/client';
import { createServer } from '@fcgi/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceSuite, mockBackend } from '../src/vitest.js';
import { closeServer, listenLocal } from './listen-local.js';

describe('@fcgi/harness/vitest', () => {
  it('is exported as a subpath of the package, built', async () => {
    const module = (await import('@fcgi/harness/vitest')) as Record<string, unknown>;
    expect(typeof module.conformanceSuite).toBe('function');
    expect(typeof module.mockBackend).toBe('function');
    expect(typeof module.nginx).toBe('function');
    expect(typeof module.phpFpm).toBe('function');
    expect(typeof module.realPeer).toBe('function');
  });

  describe('mockBackend(script)', () => {
    const backend = mockBackend({ respond: { status: 418, body: 'teapot' } });

    it('runs between beforeAll and afterAll', async () => {
      const client = new Client({ address: backend().address, getValues: false });
      try {
        const response = await client.request({ params: { REQUEST_METHOD: 'GET' } });
        expect(response.status).toBe(418);
        response.body.resume();
        await response.done;
      } finally {
        await client.close();
      }
    });
  });

  describe('conformanceSuite(address) against @fcgi/server', () => {
    const server = createServer((_req, res) => res.end('ok'));
    let address = '';
    beforeAll(async () => {
      address = await listenLocal(server);
    });
    afterAll(() => closeServer(server));
    conformanceSuite(() => address, { only: ['get-values', 'keep-conn-on', 'streams-ended'] });
  });
});

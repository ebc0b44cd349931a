// The vitest helpers of @fcgi/harness/vitest: a mock backend per file, the conformance suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';
import { conformanceSuite, mockBackend } from '@fcgi/harness/vitest';

// Started in beforeAll, closed in afterAll; call backend() inside a test.
const backend = mockBackend({ respond: { status: 404, body: 'no such script' } });

it('maps a 404 from the backend', async () => {
  const client = new Client({ address: backend().address });
  const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/missing.php' } });
  expect(response.status).toBe(404);
  await client.close();
});

describe('my app conforms', () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  beforeAll(() => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  conformanceSuite(() => `127.0.0.1:${server.address().port}`);
});

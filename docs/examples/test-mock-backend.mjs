// Testing code that talks to php-fpm, against a scriptable stand-in with fault injection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@fcgi/client';
import { createMockBackend } from '@fcgi/harness';

test('the client reads a php-fpm style answer (no empty STDOUT, STDERR mixed in)', async () => {
  const backend = await createMockBackend({
    respond: (request) => ({
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      body: ['hello ', request.params.SCRIPT_FILENAME],
      stderr: 'PHP Notice: something',
      omitEmptyStdout: true,
      recordSize: 1, // one byte per record: the client must not care
    }),
  });
  const client = new Client({ address: backend.address });
  try {
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/index.php' } });
    assert.equal((await response.body.toArray()).join(''), 'hello /srv/www/index.php');
    assert.equal((await response.stderr.toArray()).join(''), 'PHP Notice: something');
    assert.deepEqual(await response.done, { appStatus: 0, protocolStatus: 0 });
    assert.equal(backend.requests[0].params.REQUEST_METHOD, 'GET');
  } finally {
    await client.close();
    await backend.close();
  }
});

test('an overloaded backend is a typed error', async () => {
  const backend = await createMockBackend({ respond: { protocolStatus: 'overloaded' } });
  const client = new Client({ address: backend.address });
  try {
    await assert.rejects(client.request({ params: { REQUEST_METHOD: 'GET' } }), { code: 'ERR_FCGI_OVERLOADED' });
  } finally {
    await client.close();
    await backend.close();
  }
});

// Testing a FastCGI app in-process with inject(): no socket, no web server, the real codec.
// Run with `node --test` (node:test); the same calls work in vitest or jest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '@fcgi/server';
import { inject, formatRecords } from '@fcgi/harness';

const handler = (req, res) => {
  if (req.fastcgi.role === 'authorizer') {
    // An authorizer: 200 allows (Variable-* headers are passed on), anything else denies.
    const allowed = req.headers.authorization === 'Bearer good';
    res.statusCode = allowed ? 200 : 401;
    if (allowed) res.setHeader('Variable-USER', 'ada');
    res.end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
};

test('a POST reaches the handler with its body', async () => {
  const result = await inject(handler, { method: 'POST', url: '/items?x=1', body: 'name=pen' });
  assert.equal(result.status, 200);
  assert.equal(result.text(), 'POST /items?x=1 name=pen');
  assert.equal(result.appStatus, 0);
});

test('the authorizer allows a good token and passes a variable on', async () => {
  const result = await inject(handler).role('authorizer').header('authorization', 'Bearer good');
  assert.equal(result.status, 200);
  assert.equal(result.headers['variable-user'], 'ada');
});

test('the authorizer denies anything else', async () => {
  const result = await inject(handler, { role: 'authorizer' });
  assert.equal(result.status, 401);
});

test('a server with its own options, and the records on the wire', async () => {
  const server = createServer({ maxParamsPairs: 50 }, handler);
  const result = await inject(server).get('/').query({ page: '2' });
  assert.equal(result.text(), 'GET /?page=2 ');
  const transcript = formatRecords(result.records);
  assert.match(transcript, /BEGIN_REQUEST/);
  assert.match(transcript, /END_REQUEST/);
});

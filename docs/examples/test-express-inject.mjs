// An Express app tested over FastCGI with inject(): the real codec and server engine, no socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { inject } from '@fcgi/harness';

const app = express();
app.use(express.json());
app.post('/users', (req, res) => res.status(201).json({ name: req.body.name, trace: req.get('x-trace') }));

test('POST /users answers 201 with the user', async () => {
  const result = await inject(app, { method: 'POST', url: '/users', json: { name: 'ada' } });
  assert.equal(result.status, 201);
  assert.deepEqual(result.json(), { name: 'ada' });
});

test('the same request, chained (light-my-request style)', async () => {
  const result = await inject(app).post('/users').header('x-trace', '7').json({ name: 'ada' });
  assert.deepEqual(result.json(), { name: 'ada', trace: '7' });
});

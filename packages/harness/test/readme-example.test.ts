import { Client } from '@fcgi/client';
import { createServer } from '@fcgi/server';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createMockBackend, formatRecords, inject, runConformance } from '../src/index.js';
import { closeServer, listenLocal } from './listen-local.js';

describe('README examples', () => {
  it('tests an Express app over FastCGI', async () => {
    const app = express();
    app.use(express.json());
    app.post('/users', (req, res) => res.status(201).json({ name: (req.body as { name: string }).name }));
    const result = await inject(app, { method: 'POST', url: '/users', json: { name: 'ada' } });
    expect(result.status).toBe(201);
    expect(result.json()).toEqual({ name: 'ada' });
    const again = await inject(app).post('/users').header('x-trace', '7').json({ name: 'ada' });
    expect(again.json()).toEqual({ name: 'ada' });
  });

  it('injects into a fetch handler', async () => {
    const result = await inject((request: Request) => Response.json({ url: request.url }), { url: '/hello?x=1' });
    expect(result.json()).toEqual({ url: 'http://localhost/hello?x=1' });
  });

  it('sends a request to an app by address and prints the transcript', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(`page ${req.url ?? ''}`));
    });
    const address = await listenLocal(server);
    try {
      const result = await inject(address, { method: 'POST', url: '/index.php?page=2', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, params: { SCRIPT_FILENAME: '/srv/www/index.php' } });
      expect(result.text()).toBe('page /index.php?page=2');
      const transcript = formatRecords(result.records);
      expect(transcript.split('\n')[0]).toMatch(/^BEGIN_REQUEST/);
      expect(transcript).toMatch(/END_REQUEST/);
    } finally {
      await closeServer(server);
    }
  });

  it('tests client code against a backend that closes mid-body', async () => {
    const backend = await createMockBackend({ respond: { status: 200, headers: { 'content-type': 'text/plain' }, body: ['half ', 'of it'], close: 'mid-body' } });
    const client = new Client({ address: backend.address });
    try {
      const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/index.php' } });
      response.body.on('error', () => undefined).resume();
      await expect(response.done).rejects.toMatchObject({ code: 'ERR_FCGI_UPSTREAM_CLOSED' });
      expect(backend.requests[0]!.params.SCRIPT_FILENAME).toBe('/srv/index.php');
    } finally {
      await client.destroy();
      await backend.close();
    }
  });

  it('checks that an app follows the protocol', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    const address = await listenLocal(server);
    try {
      const report = await runConformance(address);
      expect(report.passed).toBe(true);
      expect(report.checks).toHaveLength(15);
    } finally {
      await closeServer(server);
    }
  });
});

/**
 * An unmodified Express 5 app handed straight to createServer: Express swaps the
 * prototypes of req and res, and the FastCGI overrides must survive it.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { text } from 'node:stream/consumers';
import { Client } from '@fcgi/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FastCgiServer, createServer } from '../src/index.js';

function expressApp(): express.Express {
  const app = express();
  app.use(express.json());
  app.get('/hello/:name', (req, res) => {
    res.cookie('seen', '1');
    res.json({ name: req.params.name, query: req.query, ip: req.ip, role: (req as unknown as { fastcgi: { role: string } }).fastcgi.role });
  });
  app.post('/echo', (req, res) => {
    res.status(201).json(req.body);
  });
  app.get('/away', (_req, res) => {
    res.redirect('/hello/there');
  });
  return app;
}

describe('an Express app served by createServer(app), unchanged', () => {
  let server: FastCgiServer;
  let client: Client;

  beforeAll(async () => {
    server = createServer(expressApp());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new Client({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
  });

  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function params(method: string, uri: string, extra: Record<string, string> = {}): Record<string, string> {
    const [path, query = ''] = uri.split('?');
    return { REQUEST_METHOD: method, REQUEST_URI: uri, SCRIPT_NAME: path ?? uri, QUERY_STRING: query, SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.2', HTTP_HOST: 'example.test', ...extra };
  }

  it('routes with params and query, sets cookies and answers JSON', async () => {
    const response = await client.request({ params: params('GET', '/hello/ada?x=1') });
    expect(response.status).toBe(200);
    expect([response.headers['set-cookie']].flat()).toEqual(['seen=1; Path=/']);
    expect(JSON.parse(await text(response.body))).toEqual({ name: 'ada', query: { x: '1' }, ip: '127.0.0.2', role: 'responder' });
  });

  it('parses a JSON body', async () => {
    const body = JSON.stringify({ a: [1, 2] });
    const response = await client.request({ params: params('POST', '/echo', { CONTENT_TYPE: 'application/json' }), body });
    expect(response.status).toBe(201);
    expect(JSON.parse(await text(response.body))).toEqual({ a: [1, 2] });
  });

  it('redirects', async () => {
    const response = await client.request({ params: params('GET', '/away') });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/hello/there');
    await text(response.body);
  });
});

import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { serve, toFastCgi } from '../src/index.js';
import { buildAuthorizerApp, buildExpressApp } from './express-app.js';
import { Client, send } from './fastcgi-request.js';
import { servedAppSuite } from './served-app-suite.js';

servedAppSuite('Express', async (context) => {
  const server = await serve(buildExpressApp(context), { listen: 0, authorizer: buildAuthorizerApp() });
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});

describe('serve() and toFastCgi()', () => {
  it('listens on a Unix socket given as an address string', async () => {
    const path = `/tmp/fcgi-express-${process.pid}.sock`;
    const server = await serve(express().get('/', (_req, res) => res.send('unix')), { listen: `unix:${path}` });
    const client = new Client({ address: `unix:${path}` });
    expect((await send(client, { url: '/' })).text).toBe('unix');
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('rejects with the server error when the address is taken', async () => {
    const first = await serve(express(), { listen: 0 });
    const port = (first.address() as AddressInfo).port;
    await expect(serve(express(), { listen: `127.0.0.1:${port}` })).rejects.toMatchObject({ code: 'ERR_FCGI_ADDRESS_IN_USE' });
    await new Promise((resolve) => first.close(resolve));
  });

  it('sends authorizer requests to the app itself when no authorizer is given', async () => {
    const app = express().use((req, res) => {
      res.status(req.fastcgi?.role === 'authorizer' ? 200 : 500).set('Variable-ROLE', req.fastcgi?.role).end();
    });
    const server = toFastCgi(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1').once('listening', resolve));
    const client = new Client({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
    const response = await send(client, { url: '/x', role: 'authorizer' });
    expect(response.status).toBe(200);
    expect(response.headers['variable-role']).toBe('authorizer');
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('denies with 403 when the authorizer router passes the request on', async () => {
    const router = express.Router().get('/only-this', (_req, res) => res.status(200).end());
    const server = await serve(express(), { listen: 0, authorizer: router });
    const client = new Client({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` });
    expect((await send(client, { url: '/only-this', role: 'authorizer' })).status).toBe(200);
    expect((await send(client, { url: '/other', role: 'authorizer' })).status).toBe(403);
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

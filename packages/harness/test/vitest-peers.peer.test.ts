// The real-peer helpers of @fcgi/harness/vitest, used exactly as another project would:
// imports by package name, peers started in beforeAll and stopped in afterAll by the helpers.
import type { AddressInfo } from 'node:net';
import { curl } from '@fcgi/harness';
import { nginx, phpFpm } from '@fcgi/harness/vitest';
import { createServer } from '@fcgi/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const requests = 5;

describe('nginx in front of php-fpm', () => {
  const php = phpFpm({
    children: 2,
    files: { 'hello.php': '<?php header("Content-Type: text/plain"); echo "hello ", $_GET["name"] ?? "nobody", " from ", $_SERVER["REMOTE_ADDR"];' },
  });
  const web = nginx(() => ({ upstream: php(), keepConn: true }));

  it('serves a PHP page through nginx, from the php-fpm document root', async () => {
    const response = await curl(`${web().url}/hello.php?name=ada`);
    expect(response.status, web().logs()).toBe(200);
    expect(response.headers).toContain('Content-Type: text/plain;charset=UTF-8');
    expect(response.body.toString()).toBe('hello ada from 127.0.0.2');
  });

  it('answers 404 for a script that is not there', async () => {
    const response = await curl(`${web().url}/missing.php`);
    expect(response.status).toBe(404);
  });

  it('gives running peers with their addresses and run directories', () => {
    expect(web().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(php().address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(web().runDirectory).not.toBe(php().runDirectory);
  });
});

describe('nginx in front of an @fcgi/server app', () => {
  let connections = 0;
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(`${req.method} ${req.url} script=${req.fastcgi.params.SCRIPT_FILENAME ?? ''} from=${req.fastcgi.params.REMOTE_ADDR ?? ''}`);
  });
  server.on('connection', () => (connections += 1));
  let address = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The options are read in beforeAll, after the server above is listening.
  const web = nginx(() => ({ upstream: address, keepConn: true, documentRoot: '/srv/app' }));

  it('passes every request to the app with nginx\'s params', async () => {
    const response = await curl(`${web().url}/users/7?full=1`);
    expect(response.status, web().logs()).toBe(200);
    expect(response.body.toString()).toBe('GET /users/7?full=1 script=/srv/app/users/7 from=127.0.0.2');
  });

  it('keepConn: nginx keeps its FastCGI connection to the app between requests', async () => {
    const before = connections;
    for (let index = 0; index < requests; index += 1) expect((await curl(`${web().url}/n/${index}`)).status).toBe(200);
    expect(connections - before).toBeLessThanOrEqual(1);
  });
});

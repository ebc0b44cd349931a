import { type AddressInfo } from 'node:net';
import { type IncomingHttpHeaders, type Server, createServer, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, createGateway } from '../src/index.js';
import { waitFor } from './support/wait.js';
import { type PhpFpm, requirePhpFpm, startPhpFpm } from './support/php-fpm.js';

const available = requirePhpFpm();

const scripts = {
  'index.php': "<?php echo 'index ', $_SERVER['SCRIPT_NAME'], ' ', $_SERVER['REQUEST_URI'];",
  'info.php': "<?php header('Content-Type: application/json'); echo json_encode(['path_info' => $_SERVER['PATH_INFO'] ?? null, 'query' => $_GET, 'post' => $_POST, 'proxy' => getenv('HTTP_PROXY')]);",
  'cookies.php': "<?php setcookie('a', '1'); setcookie('b', '2'); header('Location: /next');",
  'status.php': "<?php http_response_code(404); echo 'custom not found';",
  'log.php': "<?php error_log('gateway log line'); echo 'logged';",
};

interface Result { status: number; headers: IncomingHttpHeaders; body: string }

function send(port: number, path: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method, headers, localAddress: '127.0.0.2' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe.skipIf(!available)('gateway in front of php-fpm', () => {
  let fpm: PhpFpm;
  let gateway: Gateway;
  let server: Server;
  let port: number;
  const logLines: string[] = [];

  beforeAll(async () => {
    fpm = await startPhpFpm({ scripts, maxChildren: 2 });
    gateway = createGateway({ upstream: fpm.address, documentRoot: fpm.documentRoot, index: 'index.php', onStderr: (line) => logLines.push(line) });
    server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await gateway?.client.destroy();
    await fpm?.stop();
  });

  it('serves / from index.php with REQUEST_URI=/', async () => {
    const result = await send(port, '/');
    expect(result.status).toBe(200);
    expect(result.body).toBe('index /index.php /');
  });

  it('passes PATH_INFO, the query and a form POST', async () => {
    const result = await send(port, '/info.php/some/path?x=1', 'POST', 'name=ann&n=2', { 'Content-Type': 'application/x-www-form-urlencoded', Proxy: 'http://evil.test' });
    expect(JSON.parse(result.body)).toEqual({ path_info: '/some/path', query: { x: '1' }, post: { name: 'ann', n: '2' }, proxy: false });
  });

  it('keeps several Set-Cookie headers and turns Location into 302', async () => {
    const result = await send(port, '/cookies.php');
    expect(result.status).toBe(302);
    expect(result.headers.location).toBe('/next');
    expect(result.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('passes the status set by the script', async () => {
    const result = await send(port, '/status.php');
    expect(result.status).toBe(404);
    expect(result.body).toBe('custom not found');
  });

  it('sends error_log() output to onStderr', async () => {
    expect((await send(port, '/log.php')).body).toBe('logged');
    await waitFor(() => logLines.some((line) => line.includes('gateway log line')));
  });

  it('answers the CVE-2019-11043 path with 404', async () => {
    expect((await send(port, '/index.php/%0a.php')).status).toBe(404);
  });

  it('answers 502 when php-fpm is not there', async () => {
    const down = createGateway({ upstream: '127.0.0.1:1', documentRoot: fpm.documentRoot });
    const downServer = createServer(down);
    await new Promise<void>((resolve) => downServer.listen(0, '127.0.0.1', resolve));
    try {
      expect((await send((downServer.address() as AddressInfo).port, '/index.php')).status).toBe(502);
    } finally {
      downServer.closeAllConnections();
      await new Promise((resolve) => downServer.close(resolve));
      await down.close();
    }
  });
});

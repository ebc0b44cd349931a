import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';
import { type Behaviour, type ReceivedRequest, type TinyApp, startTinyApp } from './support/tiny-app.js';

let directory = '';
let app: TinyApp | undefined;
let behaviour: (request: ReceivedRequest) => Behaviour = () => ({ stdout: 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhello' });

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'fcgi-request-'));
  writeFileSync(join(directory, 'body.bin'), Buffer.from([0, 1, 2, 3, 255, 13, 10]));
  writeFileSync(join(directory, 'data.txt'), 'filter me');
  app = await startTinyApp((request) => behaviour(request));
});
afterAll(async () => {
  await app?.close();
  rmSync(directory, { recursive: true, force: true });
});
afterEach(() => {
  app?.requests.splice(0);
  behaviour = () => ({ stdout: 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhello' });
});

async function fcgi(argv: string[], stdin?: readonly Uint8Array[]): Promise<{ status: number; stdout: Buffer; stderr: string }> {
  const captured = captureIo({ cwd: directory, ...(stdin === undefined ? {} : { stdin }) });
  const status = await main(argv, captured.io);
  return { status, stdout: captured.stdoutBytes(), stderr: captured.stderr() };
}

function lastRequest(): ReceivedRequest {
  const request = app?.requests.at(-1);
  if (request === undefined) throw new Error('the app received no request');
  return request;
}

describe('fcgi request', () => {
  it('prints the body to stdout and sends the params of a web server', async () => {
    const result = await fcgi(['request', app!.address, '/app/index.php/users/7?page=2&q=a%20b']);
    expect(result).toEqual({ status: 0, stdout: Buffer.from('hello'), stderr: '' });
    const { params, role } = lastRequest();
    expect(role).toBe(1);
    expect(params).toMatchObject({
      GATEWAY_INTERFACE: 'CGI/1.1', SERVER_PROTOCOL: 'HTTP/1.1', REQUEST_METHOD: 'GET', REQUEST_URI: '/app/index.php/users/7?page=2&q=a%20b',
      SCRIPT_NAME: '/app/index.php', PATH_INFO: '/users/7', QUERY_STRING: 'page=2&q=a%20b', SERVER_NAME: 'localhost', REMOTE_ADDR: '127.0.0.1',
    });
    expect(params).not.toHaveProperty('SCRIPT_FILENAME');
    expect(params.SERVER_SOFTWARE).toMatch(/^fcgi\/\d+\.\d+\.\d+$/);
  });

  it('defaults PATH to / with an empty QUERY_STRING', async () => {
    await fcgi(['request', app!.address]);
    expect(lastRequest().params).toMatchObject({ REQUEST_URI: '/', SCRIPT_NAME: '/', QUERY_STRING: '' });
  });

  it('sets DOCUMENT_ROOT and SCRIPT_FILENAME from --root and the script part of PATH', async () => {
    await fcgi(['request', app!.address, '/blog/index.php/post/1?x=1', '--root', '/srv/www/']);
    expect(lastRequest().params).toMatchObject({ DOCUMENT_ROOT: '/srv/www', SCRIPT_FILENAME: '/srv/www/blog/index.php', PATH_TRANSLATED: '/srv/www/post/1' });
  });

  it('turns --header into HTTP_* (and CONTENT_TYPE), and lets --param replace anything', async () => {
    await fcgi(['request', app!.address, '/x', '-H', 'X-Request-Id: 42', '--header', 'Host: example.org:8080', '-H', 'Content-Type: text/csv', '--param', 'SCRIPT_FILENAME=/a/b.php', '-p', 'REQUEST_METHOD=PUT', '-p', 'EMPTY=', '-p', 'EQ=a=b']);
    expect(lastRequest().params).toMatchObject({ HTTP_X_REQUEST_ID: '42', HTTP_HOST: 'example.org:8080', SERVER_NAME: 'example.org', CONTENT_TYPE: 'text/csv', SCRIPT_FILENAME: '/a/b.php', REQUEST_METHOD: 'PUT', EMPTY: '', EQ: 'a=b' });
  });

  it('sends a --body file with CONTENT_LENGTH, binary-safe, as POST by default', async () => {
    behaviour = (request) => ({ stdout: Buffer.concat([Buffer.from('Content-Type: application/octet-stream\r\n\r\n'), request.stdin]) });
    const result = await fcgi(['request', app!.address, '/echo', '--body', 'body.bin']);
    expect(result.status).toBe(0);
    expect(result.stdout).toEqual(Buffer.from([0, 1, 2, 3, 255, 13, 10]));
    expect(lastRequest().params).toMatchObject({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '7' });
  });

  it('sends standard input with --body - and keeps --method', async () => {
    behaviour = (request) => ({ stdout: `\r\n${request.stdin.toString()}` });
    const result = await fcgi(['request', app!.address, '/echo', '--body', '-', '-X', 'PATCH'], [Buffer.from('part one, '), Buffer.from('part two')]);
    expect(result.stdout.toString()).toBe('part one, part two');
    expect(lastRequest().params).toMatchObject({ REQUEST_METHOD: 'PATCH', CONTENT_LENGTH: '18' });
  });

  it('prints the status line and headers first with --include, as curl -i', async () => {
    behaviour = () => ({ stdout: 'Status: 201 Created\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nmade' });
    const result = await fcgi(['request', app!.address, '/new', '-i']);
    expect(result.stdout.toString()).toBe('HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nmade');
  });

  it('copies the app\'s STDERR to stderr', async () => {
    behaviour = () => ({ stdout: '\r\nok', stderr: 'PHP Notice: something\n' });
    expect(await fcgi(['request', app!.address])).toEqual({ status: 0, stdout: Buffer.from('ok'), stderr: 'PHP Notice: something\n' });
  });

  it('exits 0 on a 404 without --fail, and 22 with no body printed with --fail', async () => {
    behaviour = () => ({ stdout: 'Status: 404 Not Found\r\n\r\nno such page' });
    expect(await fcgi(['request', app!.address, '/missing'])).toMatchObject({ status: 0, stdout: Buffer.from('no such page') });
    expect(await fcgi(['request', app!.address, '/missing', '--fail'])).toEqual({ status: 22, stdout: Buffer.alloc(0), stderr: 'fcgi request: the app answered 404 Not Found\n' });
  });

  it('sends authorizer and filter requests', async () => {
    behaviour = (request) => ({ stdout: `Status: 200 OK\r\nVariable-USER: ann\r\n\r\n${request.data.toString()}` });
    const authorized = await fcgi(['request', app!.address, '/private', '--role', 'authorizer', '-i']);
    expect(authorized.stdout.toString()).toBe('HTTP/1.1 200 OK\r\nVariable-USER: ann\r\n\r\n');
    expect(lastRequest().role).toBe(2);
    const filtered = await fcgi(['request', app!.address, '/filter', '--role', 'filter', '--data', 'data.txt']);
    expect(filtered.stdout.toString()).toBe('filter me');
    expect(lastRequest()).toMatchObject({ role: 3, params: { FCGI_DATA_LENGTH: '9' } });
  });

  it.each([
    [['request'], 'missing ADDRESS'],
    [['request', 'localhost'], "invalid address 'localhost': no port"],
    [['request', '127.0.0.1:9000', 'index.php'], "PATH must start with '/', got 'index.php'"],
    [['request', '127.0.0.1:9000', '/', '--role', 'boss'], "--role must be responder, authorizer or filter, got 'boss'"],
    [['request', '127.0.0.1:9000', '/', '--data', 'data.txt'], '--data needs --role filter'],
    [['request', '127.0.0.1:9000', '/', '--role', 'authorizer', '--body', 'body.bin'], 'an authorizer request has no body: drop --body'],
    [['request', '127.0.0.1:9000', '/', '--header', 'no colon'], "--header must be 'Name: value'"],
    [['request', '127.0.0.1:9000', '/', '--param', '=x'], "--param must be NAME=VALUE, got '=x'"],
    [['request', '127.0.0.1:9000', '/', '--timeout', 'soon'], "--timeout must be a whole number of milliseconds above 0, got 'soon'"],
    [['request', '127.0.0.1:9000', '/', '--method', 'GE T'], "--method must be an HTTP method"],
    [['request', '127.0.0.1:9000', '/', '--insecure'], "unknown option '--insecure'"],
    [['request', '127.0.0.1:9000', '/', '--method'], "option '--method' needs a value"],
  ])('rejects %j as a usage error (exit 2)', async (argv, message) => {
    const result = await fcgi(argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stdout.length).toBe(0);
  });

  it('exits 26 when the --body file cannot be read', async () => {
    expect(await fcgi(['request', app!.address, '/', '--body', 'missing.bin'])).toEqual({ status: 26, stdout: Buffer.alloc(0), stderr: "fcgi request: cannot read 'missing.bin': no such file\n" });
  });

  it('exits 7 when nothing listens at the address', async () => {
    const closed = await startTinyApp(() => 'hang');
    await closed.close();
    const result = await fcgi(['request', closed.address, '/']);
    expect(result.status).toBe(7);
    expect(result.stderr).toMatch(/^fcgi request: ERR_FCGI_CONNECT_FAILED: .+\n$/);
  });

  it('exits 28 when the app does not answer within --timeout', async () => {
    behaviour = () => 'hang';
    const result = await fcgi(['request', app!.address, '/', '--timeout', '150']);
    expect(result.status).toBe(28);
    expect(result.stderr).toMatch(/^fcgi request: ERR_FCGI_\w+_TIMEOUT: .+\n$/);
  });

  it('exits 8 when the app answers with something that is not FastCGI, or refuses the request', async () => {
    behaviour = () => 'garbage';
    const garbage = await fcgi(['request', app!.address, '/']);
    expect(garbage.status).toBe(8);
    expect(garbage.stderr).toMatch(/^fcgi request: ERR_FCGI_[A-Z_]+: .+\n$/);
    behaviour = () => ({ stdout: '', protocolStatus: 2 });
    const overloaded = await fcgi(['request', app!.address, '/']);
    expect(overloaded.status).toBe(8);
    expect(overloaded.stderr).toMatch(/^fcgi request: ERR_FCGI_OVERLOADED: .+\n$/);
  });

  it('works over a Unix socket', async () => {
    const socketApp = await startTinyApp(() => ({ stdout: '\r\nover unix' }), { path: join(directory, 'app.sock') });
    try {
      expect(await fcgi(['request', socketApp.address, '/'])).toEqual({ status: 0, stdout: Buffer.from('over unix'), stderr: '' });
      expect(await fcgi(['request', join(directory, 'app.sock'), '/'])).toEqual({ status: 0, stdout: Buffer.from('over unix'), stderr: '' });
    } finally {
      await socketApp.close();
    }
  });
});

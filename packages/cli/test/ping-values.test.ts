import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';
import { type Behaviour, type ReceivedRequest, type TinyApp, startTinyApp } from './support/tiny-app.js';

const pong = (): Behaviour => ({ stdout: 'Content-Type: text/plain\r\n\r\npong' });
let app: TinyApp | undefined;
let behaviour: (request: ReceivedRequest) => Behaviour = pong;

beforeAll(async () => {
  app = await startTinyApp((request) => behaviour(request), { values: { FCGI_MAX_CONNS: '10', FCGI_MAX_REQS: '50', FCGI_MPXS_CONNS: '0', X_CUSTOM: 'yes' } });
});
afterAll(async () => app?.close());
afterEach(() => {
  behaviour = pong;
  app?.requests.splice(0);
});

async function fcgi(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const captured = captureIo();
  const status = await main(argv, captured.io);
  return { status, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('fcgi ping', () => {
  it('exits 0 with one line on stdout when the app answers 2xx', async () => {
    const result = await fcgi(['ping', app!.address]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^fcgi ping: ok, ${app!.address} answered 200 OK in \\d+ ms\\n$`));
    expect(app!.requests[0]?.params).toMatchObject({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/ping', SCRIPT_FILENAME: '/ping', REQUEST_URI: '/ping' });
  });

  it('asks for --path and checks --expect', async () => {
    expect((await fcgi(['ping', app!.address, '--path', '/fpm-ping', '--expect', 'pong'])).status).toBe(0);
    expect(app!.requests[0]?.params).toMatchObject({ SCRIPT_NAME: '/fpm-ping', SCRIPT_FILENAME: '/fpm-ping' });
    expect(await fcgi(['ping', app!.address, '--expect', 'PONG'])).toEqual({ status: 1, stdout: '', stderr: `fcgi ping: ${app!.address} answered 200 OK without 'PONG' in the body\n` });
  });

  it('exits 1 with one line on stderr for a non-2xx status', async () => {
    behaviour = () => ({ stdout: 'Status: 503 Service Unavailable\r\n\r\n' });
    expect(await fcgi(['ping', app!.address])).toEqual({ status: 1, stdout: '', stderr: `fcgi ping: ${app!.address} answered 503 Service Unavailable\n` });
  });

  it('exits 1 when the app hangs past --timeout, closes, or cannot be reached', async () => {
    behaviour = () => 'hang';
    const hung = await fcgi(['ping', app!.address, '--timeout', '100']);
    expect(hung.status).toBe(1);
    expect(hung.stderr).toMatch(/^fcgi ping: \S+: ERR_FCGI_\w+_TIMEOUT: .+\n$/);
    behaviour = () => 'close';
    const closed = await fcgi(['ping', app!.address]);
    expect(closed.status).toBe(1);
    expect(closed.stderr).toMatch(/^fcgi ping: \S+: ERR_FCGI_[A-Z_]+: .+\n$/);
    const gone = await startTinyApp(pong);
    await gone.close();
    const refused = await fcgi(['ping', gone.address]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^fcgi ping: \S+: ERR_FCGI_CONNECT_FAILED: .+\n$/);
  });

  it('treats a bad address or flag as a usage error (exit 2)', async () => {
    expect((await fcgi(['ping', 'nowhere'])).status).toBe(2);
    expect((await fcgi(['ping', app!.address, '--path', 'ping'])).stderr).toBe("fcgi ping: --path must start with '/', got 'ping' (see 'fcgi ping --help')\n");
    expect((await fcgi(['ping'])).stderr).toBe("fcgi ping: missing ADDRESS (see 'fcgi ping --help')\n");
  });
});

describe('fcgi values', () => {
  it('prints the three standard values, one NAME=value per line', async () => {
    expect(await fcgi(['values', app!.address])).toEqual({ status: 0, stdout: 'FCGI_MAX_CONNS=10\nFCGI_MAX_REQS=50\nFCGI_MPXS_CONNS=0\n', stderr: '' });
  });

  it('asks for the NAMEs given, and leaves out names the app does not answer', async () => {
    expect(await fcgi(['values', app!.address, 'X_CUSTOM', 'FCGI_MPXS_CONNS', 'UNKNOWN_NAME'])).toEqual({ status: 0, stdout: 'X_CUSTOM=yes\nFCGI_MPXS_CONNS=0\n', stderr: '' });
  });

  it('exits 7 when nothing listens, and 2 for a bad address', async () => {
    const gone = await startTinyApp(pong);
    await gone.close();
    const refused = await fcgi(['values', gone.address]);
    expect(refused.status).toBe(7);
    expect(refused.stderr).toMatch(/^fcgi values: ERR_FCGI_CONNECT_FAILED: .+\n$/);
    expect((await fcgi(['values', 'unix:'])).status).toBe(2);
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { curl, requirePeers } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseServers, startSetup } from '../src/setup.js';

const peers = requirePeers('apache', 'curl');
const lighttpdPeers = requirePeers('lighttpd', 'curl');
const bothPeers = requirePeers('apache', 'lighttpd', 'curl');
const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));
const report = fileURLToPath(new URL('../public/private/report.txt', import.meta.url));
const alice = ['-H', 'Authorization: Bearer alice-token'];
const bob = ['-H', 'Authorization: Bearer bob-token'];

describe.skipIf(!peers.available)(peers.title('Apache mod_authnz_fcgi -> the Node authorizer'), () => {
  let setup: Awaited<ReturnType<typeof startSetup>> | undefined;
  const authorizerLog: string[] = [];

  /** What Apache logged last: `client "request line" status user=...`. */
  async function lastAccessLine(): Promise<string> {
    const lines = (await readFile(setup!.apache.accessLog, 'utf8')).trim().split('\n');
    return lines.at(-1) ?? '';
  }

  beforeAll(async () => {
    setup = await startSetup({ servers: ['apache'], log: (line) => authorizerLog.push(line) });
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('serves public pages without asking the authorizer', async () => {
    const response = await curl(`${setup!.url}/`);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('<h1>Public</h1>');
    expect(authorizerLog).toEqual([]);
  });

  it('denies the protected static directory without a token: 401 with the authorizer\'s WWW-Authenticate', async () => {
    const response = await curl(`${setup!.url}/private/report.txt`);
    expect(response.status).toBe(401);
    expect(response.headers).toContain('WWW-Authenticate: Bearer realm="apache-authorizer"');
    expect(response.body.toString()).not.toContain('Quarterly report');
    expect(authorizerLog.at(-1)).toBe('authorizer (AUTHORIZER/AUTHENTICATOR): GET /private/report.txt token=none -> 401');
  });

  it('denies an unknown token', async () => {
    const response = await curl(`${setup!.url}/private/report.txt`, { args: ['-H', 'Authorization: Bearer stolen'] });
    expect(response.status).toBe(401);
    expect(authorizerLog.at(-1)).toContain('token=given -> 401'); // CGIPassAuth On: the header reached the authorizer
  });

  it('allows a valid token: the file, with the authorizer\'s Variable- values as AUTH_USER / AUTH_TEAM', async () => {
    const response = await curl(`${setup!.url}/private/report.txt`, { args: alice });
    expect(response.status).toBe(200);
    expect(response.body.equals(await readFile(report))).toBe(true);
    expect(response.headers).toContain('X-Auth-User: alice');
    expect(response.headers).toContain('X-Auth-Team: ops');
    expect(await lastAccessLine()).toBe('127.0.0.2 "GET /private/report.txt HTTP/1.1" 200 user=alice');
  });

  it('passes the variables to the protected Node responder as params, with REMOTE_ADDR the client', async () => {
    const response = await curl(`${setup!.url}/api/whoami?verbose=1`, { args: alice });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({
      url: '/api/whoami?verbose=1', method: 'GET', user: 'alice', team: 'ops', remoteUser: 'alice', remoteAddress: '127.0.0.2', bodyBytes: 0,
    });
  });

  it('answers 403 when the authorizer knows the user but refuses the resource', async () => {
    const refused = await curl(`${setup!.url}/api/admin/stats`, { args: bob });
    expect(refused.status).toBe(403);
    expect(authorizerLog.at(-1)).toContain('GET /api/admin/stats token=given -> 403');
    const allowed = await curl(`${setup!.url}/api/whoami`, { args: bob });
    expect(JSON.parse(allowed.body.toString())).toMatchObject({ user: 'bob', team: 'guests' });
  });

  it('asks the authorizer for a POST too, and the body still reaches the responder', async () => {
    const response = await curl(`${setup!.url}/api/notes`, { body: Buffer.from('hello'), args: alice });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ method: 'POST', user: 'alice', bodyBytes: 5 });
    expect(authorizerLog.at(-1)).toBe('authorizer (AUTHORIZER/AUTHENTICATOR): POST /api/notes token=given -> allow');
  });
});

describe.skipIf(!lighttpdPeers.available)(lighttpdPeers.title('lighttpd mod_fastcgi ("mode" => "authorizer") -> the Node authorizer'), () => {
  let setup: Awaited<ReturnType<typeof startSetup>> | undefined;
  const authorizerLog: string[] = [];
  const url = (): string => setup!.lighttpd.url;

  beforeAll(async () => {
    setup = await startSetup({ servers: ['lighttpd'], log: (line) => authorizerLog.push(line) });
  });

  afterAll(async () => {
    await setup?.stop();
  });

  it('serves public pages without asking the authorizer', async () => {
    const response = await curl(`${url()}/`);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('<h1>Public</h1>');
    expect(authorizerLog).toEqual([]);
  });

  it('denies the protected static directory without a token: the authorizer\'s 401, headers and body', async () => {
    const response = await curl(`${url()}/private/report.txt`);
    expect(response.status).toBe(401);
    expect(response.headers).toContain('WWW-Authenticate: Bearer realm="apache-authorizer"');
    expect(response.body.toString()).toBe('A valid bearer token is required.\n'); // lighttpd keeps the authorizer's body (Apache does not)
    expect(authorizerLog.at(-1)).toBe('authorizer (AUTHORIZER): GET /private/report.txt token=none -> 401');
  });

  it('allows a valid token: the static file, byte for byte', async () => {
    const response = await curl(`${url()}/private/report.txt`, { args: alice });
    expect(response.status).toBe(200);
    expect(response.body.equals(await readFile(report))).toBe(true);
    expect(authorizerLog.at(-1)).toBe('authorizer (AUTHORIZER): GET /private/report.txt token=given -> allow');
  });

  it('passes the authorizer\'s Variable-AUTH_USER / Variable-AUTH_TEAM to the protected responder as params', async () => {
    const response = await curl(`${url()}/api/whoami?verbose=1`, { args: alice });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({
      url: '/api/whoami?verbose=1', method: 'GET', user: 'alice', team: 'ops', remoteUser: null, remoteAddress: '127.0.0.2', bodyBytes: 0,
    });
    expect(authorizerLog.at(-1)).toBe('authorizer (AUTHORIZER): GET /api/whoami?verbose=1 token=given -> allow');
  });

  it("denies the responder's URLs too: the authorizer's 401 without a token, its 403 for a refused resource", async () => {
    const anonymous = await curl(`${url()}/api/whoami`);
    expect([anonymous.status, anonymous.body.toString()]).toEqual([401, 'A valid bearer token is required.\n']);
    const refused = await curl(`${url()}/api/admin/stats`, { args: bob });
    expect([refused.status, refused.body.toString()]).toEqual([403, 'bob may not use the admin API.\n']);
    const allowed = await curl(`${url()}/api/whoami`, { args: bob });
    expect(JSON.parse(allowed.body.toString())).toMatchObject({ user: 'bob', team: 'guests' });
  });

  it('authorizes a POST, and the body then reaches the responder', async () => {
    const response = await curl(`${url()}/api/notes`, { body: Buffer.from('hello'), args: alice });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ method: 'POST', user: 'alice', bodyBytes: 5 });
    expect(authorizerLog.at(-1)).toBe('authorizer (AUTHORIZER): POST /api/notes token=given -> allow');
  });
});

describe('choosing the web server', () => {
  it('rejects an unknown choice, and names a missing server', () => {
    expect(() => chooseServers('nginx')).toThrow("unknown web server 'nginx': choose apache, lighttpd, both or auto");
    const saved = process.env['FCGI_HIDE_PEERS'];
    try {
      process.env['FCGI_HIDE_PEERS'] = 'lighttpd';
      expect(() => chooseServers('lighttpd')).toThrow('lighttpd is hidden by FCGI_HIDE_PEERS');
      expect(() => chooseServers('both')).toThrow('lighttpd is hidden by FCGI_HIDE_PEERS');
      process.env['FCGI_HIDE_PEERS'] = 'apache,lighttpd';
      expect(() => chooseServers('auto')).toThrow('apache is hidden by FCGI_HIDE_PEERS; lighttpd is hidden by FCGI_HIDE_PEERS');
    } finally {
      if (saved === undefined) delete process.env['FCGI_HIDE_PEERS'];
      else process.env['FCGI_HIDE_PEERS'] = saved;
    }
  });
});

describe.skipIf(!bothPeers.available)(bothPeers.title('pnpm --filter @fcgi/app-apache-authorizer start -- --server both'), () => {
  it('starts the Node app, Apache and lighttpd, prints what to curl, and stops all on Ctrl-C', async () => {
    const child = spawn(process.execPath, [mainScript, '--server', 'both'], { env: { ...process.env, PORT: '0', LIGHTTPD_PORT: '0', APP_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Ctrl-C')) output += (await once(child.stdout, 'data'))[0] as string;
      const urls = [/Apache on (http:\/\/127\.0\.0\.1:\d+)/, /lighttpd on (http:\/\/127\.0\.0\.1:\d+)/].map((pattern) => pattern.exec(output)![1]!);
      expect(output).toContain('Ctrl-C stops Apache, lighttpd and the Node app.');
      for (const url of urls) {
        expect(output).toContain(`curl -i -H 'Authorization: Bearer alice-token' ${url}/private/report.txt`);
        expect((await curl(`${url}/private/report.txt`)).status).toBe(401);
        expect((await curl(`${url}/private/report.txt`, { args: alice })).status).toBe(200);
        expect(JSON.parse((await curl(`${url}/api/whoami`, { args: alice })).body.toString())).toMatchObject({ user: 'alice', team: 'ops' });
      }
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
      for (const url of urls) expect((await curl(`${url}/`)).exitCode).not.toBe(0); // Apache and lighttpd are gone
    } finally {
      child.kill('SIGKILL');
    }
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { curl, requirePeers } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSetup } from '../src/setup.js';

const peers = requirePeers('apache', 'curl');
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
    setup = await startSetup({ log: (line) => authorizerLog.push(line) });
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

describe.skipIf(!peers.available)(peers.title('pnpm --filter @fcgi/app-apache-authorizer start'), () => {
  it('starts the Node app and Apache, prints what to curl, and stops both on Ctrl-C', async () => {
    const child = spawn(process.execPath, [mainScript], { env: { ...process.env, PORT: '0', APP_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('Ctrl-C')) output += (await once(child.stdout, 'data'))[0] as string;
      const url = /Apache on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      expect(output).toContain(`curl -i -H 'Authorization: Bearer alice-token' ${url}/private/report.txt`);
      expect((await curl(`${url}/private/report.txt`)).status).toBe(401);
      expect((await curl(`${url}/private/report.txt`, { args: alice })).status).toBe(200);
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
      expect((await curl(`${url}/`)).exitCode).not.toBe(0); // Apache is gone
    } finally {
      child.kill('SIGKILL');
    }
  });
});

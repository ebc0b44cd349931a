/**
 * Real web servers in front of a served app (the shared suite's routes): nginx
 * (`fastcgi_pass`), Apache (mod_proxy_fcgi for responses, mod_authnz_fcgi for the
 * Authorizer role), lighttpd (mod_fastcgi, responder and authorizer mode) and HAProxy
 * (`fcgi-app`, twice: `option keep-conn` alone, and with `option mpxs-conns`,
 * `option get-values` and `http-reuse always`, the config under which HAProxy multiplexes
 * requests on one connection, as packages/server/test/haproxy.peer.test.ts shows), with
 * HTTP requests sent from 127.0.0.2.
 *
 * Per-front exceptions, both HAProxy's:
 * - the client-abort check runs behind nginx only: HAProxy 2.6 (with or without
 *   `option abortonclose`) does not pass on a client that goes away while it waits for the
 *   response head; the app's request is closed only when `timeout server` (30 s here)
 *   expires, so a check would measure that timeout, not the adapter;
 * - the Authorizer checks run behind Apache and lighttpd only: HAProxy's fcgi-app speaks
 *   the RESPONDER role only.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HttpPeer, requirePeers, startApache, startHaproxy, startLighttpd, startNginx } from '@fcgi/test-peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from './fastcgi-request.js';
import { fetchFrom } from './php-comparison.js';
import { type ServedApp, type SuiteContext, bigFile } from './served-app-suite.js';

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function nginxServer(port: number): string {
  return `client_max_body_size 16m;
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass 127.0.0.1:${port};
    }`;
}

function apacheConfig(port: number): string {
  const backend = `fcgi://127.0.0.1:${port}`;
  return `ProxyFCGIBackendType GENERIC
ProxyPass "/secure/" "${backend}/secure/" enablereuse=on
ProxyPass "/" "${backend}/" enablereuse=on flushpackets=on
AuthnzFcgiDefineProvider authnz AppAuth ${backend}/
<Location "/secure/">
  AuthType Basic
  AuthName "app"
  AuthBasicProvider AppAuth
  Require AppAuth
</Location>`;
}

function lighttpdConfig(port: number, documentRoot: string): string {
  const backend = `"host" => "127.0.0.1", "port" => ${port}, "check-local" => "disable"`;
  return `server.stream-response-body = 2
server.max-request-size = 16384
$HTTP["url"] =~ "^/protected/" {
  fastcgi.server = ( "/protected/" => (( ${backend}, "mode" => "authorizer", "docroot" => "${documentRoot}" )) )
} else {
  fastcgi.server = ( "/" => (( ${backend} )) )
}`;
}

/**
 * HAProxy's `fcgi-app` in front of the app: `docroot` is required (it only builds
 * SCRIPT_FILENAME; the app serves no files from it); the greedy `path-info` regex leaves PATH_INFO empty, so
 * SCRIPT_NAME is the whole path and REQUEST_URI carries the query. `multiplexed` adds
 * `option mpxs-conns` + `option get-values` (HAProxy asks GET_VALUES first and multiplexes
 * when the app answers FCGI_MPXS_CONNS=1) and `http-reuse always`.
 */
function haproxyConfig(port: number, documentRoot: string, multiplexed: boolean): string {
  const multiplexing = multiplexed ? '\n  option mpxs-conns\n  option get-values' : '';
  return `fcgi-app node
  docroot ${documentRoot}
  path-info ^(/.+)(/.*)?$
  option keep-conn${multiplexing}

backend app
  use-fcgi-app node
  http-reuse ${multiplexed ? 'always' : 'safe'}
  server node1 127.0.0.1:${port} proto fcgi
`;
}

/** Sends a request and destroys it after `afterMs`. */
function abandon(url: string, afterMs: number): void {
  const outgoing = httpRequest(url, { localAddress: '127.0.0.2' });
  outgoing.on('error', () => undefined);
  outgoing.end();
  setTimeout(() => outgoing.destroy(), afterMs);
}

/** Runs the web-server checks for the app `start` builds, behind nginx and behind Apache. */
export function webServerFrontSuite(name: string, start: (context: SuiteContext) => Promise<ServedApp>): void {
  const peers = requirePeers('nginx', 'apache', 'lighttpd', 'haproxy');
  describe.skipIf(!peers.available)(peers.title(`${name} behind nginx, Apache, lighttpd and HAProxy`), () => {
    const staticRoot = mkdtempSync(join(tmpdir(), 'fcgi-front-'));
    let app: ServedApp | undefined;
    let nginx: HttpPeer | undefined;
    let apache: HttpPeer | undefined;
    let lighttpd: HttpPeer | undefined;
    let haproxy: HttpPeer | undefined;
    let haproxyMultiplexed: HttpPeer | undefined;
    let onAbort!: () => void;
    const abortSeen = new Promise<void>((resolve) => (onAbort = resolve));

    beforeAll(async () => {
      writeFileSync(join(staticRoot, 'hello.txt'), 'hello, static\n');
      writeFileSync(join(staticRoot, 'big.bin'), bigFile);
      mkdirSync(join(staticRoot, 'protected'), { mode: 0o755 });
      writeFileSync(join(staticRoot, 'protected', 'report.txt'), 'for alice only\n', { mode: 0o644 });
      chmodSync(staticRoot, 0o755);
      app = await start({ staticRoot, onAbort: () => onAbort() });
      const port = Number(app.address.split(':')[1]);
      nginx = await startNginx({ server: nginxServer(port) });
      apache = await startApache({ config: apacheConfig(port) });
      lighttpd = await startLighttpd({ documentRoot: staticRoot, config: lighttpdConfig(port, staticRoot) });
      haproxy = await startHaproxy({ defaultBackend: 'app', config: haproxyConfig(port, staticRoot, false) });
      haproxyMultiplexed = await startHaproxy({ defaultBackend: 'app', config: haproxyConfig(port, staticRoot, true) });
    });

    afterAll(async () => {
      await nginx?.stop();
      await apache?.stop();
      await lighttpd?.stop();
      await haproxy?.stop();
      await haproxyMultiplexed?.stop();
      await app?.close();
      rmSync(staticRoot, { recursive: true, force: true });
    });

    for (const server of ['nginx', 'apache', 'lighttpd', 'haproxy', 'haproxy-mpxs'] as const) {
      const peer = (): HttpPeer => ({ nginx, apache, lighttpd, haproxy, 'haproxy-mpxs': haproxyMultiplexed })[server]!;
      const base = (): string => peer().url;
      const logs = (): string => peer().logs();

      it(`${server}: routes, query, client address and FastCGI params`, async () => {
        const user = await fetchFrom(base(), '/users/7?tag=a&tag=b');
        expect(user.status, logs()).toBe(200);
        expect(JSON.parse(user.body.toString())).toEqual({ id: '7', query: { tag: ['a', 'b'] } });
        const whoami = JSON.parse((await fetchFrom(base(), '/whoami')).body.toString()) as Record<string, unknown>;
        expect(whoami).toEqual({ ip: '127.0.0.2', protocol: 'http', secure: false, role: 'responder', remoteAddr: '127.0.0.2' });
        expect((await fetchFrom(base(), '/nope')).status).toBe(404);
      });

      it(`${server}: bodies (JSON, multipart upload)`, async () => {
        const json = await fetchFrom(base(), '/echo/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":"é"}') });
        expect(JSON.parse(json.body.toString())).toEqual({ body: { a: 'é' } });
        const body = multipartBody('B0undary', ['title', 'holiday'], { field: 'photo', name: 'beach.jpg', content: Buffer.alloc(500_000, 9) });
        const upload = await fetchFrom(base(), '/upload', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=B0undary' }, body });
        expect(JSON.parse(upload.body.toString())).toEqual({ fields: { title: 'holiday' }, files: [{ field: 'photo', name: 'beach.jpg', size: 500_000 }] });
      });

      it(`${server}: redirects, cookies, files, streams and the error handler`, async () => {
        const redirect = await fetchFrom(base(), '/redirect');
        expect([redirect.status, redirect.headers.location]).toEqual([302, '/target']);
        expect(((await fetchFrom(base(), '/cookies/set')).headers['set-cookie'] ?? []).map((cookie) => cookie.split('=')[0])).toEqual(['session', 'theme']);
        const file = await fetchFrom(base(), '/file');
        expect([file.body.length, sha(file.body)]).toEqual([bigFile.length, sha(bigFile)]);
        expect((await fetchFrom(base(), '/stream')).body.toString()).toBe('chunk-0\nchunk-1\nchunk-2\n');
        const failed = await fetchFrom(base(), '/fail');
        expect([failed.status, failed.body.toString()]).toEqual([418, '{"error":"boom"}']);
      });
    }

    // Not behind HAProxy (see the exceptions above): it would pass only after `timeout server`.
    it("nginx: a client that goes away closes the app's request", async () => {
      abandon(`${nginx!.url}/hang`, 300);
      await abortSeen;
    });

    it('HAProxy with mpxs-conns + http-reuse always: concurrent slow requests are all answered', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => fetchFrom(haproxyMultiplexed!.url, '/slow')));
      expect(answers.map((answer) => [answer.status, answer.body.toString()]), haproxyMultiplexed!.logs()).toEqual(Array.from({ length: 6 }, () => [200, 'done']));
    });

    it('Apache mod_authnz_fcgi: the app acts as the authorizer, its variables reach the app', async () => {
      const allowed = await fetchFrom(apache!.url, '/secure/data', { headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` } });
      expect(allowed.status, apache!.logs()).toBe(200);
      expect(JSON.parse(allowed.body.toString())).toEqual({ remoteUser: 'alice', user: 'alice' });
      const denied = await fetchFrom(apache!.url, '/secure/data', { headers: { authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` } });
      expect(denied.status).toBe(401);
    });

    it('lighttpd authorizer mode: the app guards static files', async () => {
      const allowed = await fetchFrom(lighttpd!.url, '/protected/report.txt', { headers: { authorization: 'Bearer good' } });
      expect([allowed.status, allowed.body.toString()], lighttpd!.logs()).toEqual([200, 'for alice only\n']);
      const denied = await fetchFrom(lighttpd!.url, '/protected/report.txt', { headers: { authorization: 'Bearer bad' } });
      expect(denied.status).toBe(401);
    });
  });
}

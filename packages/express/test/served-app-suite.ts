/**
 * The shared conformance suite for "an app served over FastCGI": the same requests, sent
 * as a web server would (FastCGI over loopback through @fcgi/client), against an Express
 * app, a Fastify instance and a plain node:http handler implementing the same routes:
 *
 * GET /users/:id, GET /whoami, POST /echo/json|form|raw, POST /upload (multipart),
 * GET /redirect, GET /cookies/set, GET /cookies/read, GET /static/hello.txt, GET /file,
 * GET /download, GET /fail (error handler answers 418), GET /stream, GET /hang (calls
 * onAbort when the request is closed), GET /slow (answers after 300 ms), and the
 * Authorizer role (Bearer good -> 200 + Variable-USER: alice, else 401).
 *
 * Two transports run the same checks: `servedAppSuite` over loopback FastCGI, and
 * `injectedAppSuite` in-process through @fcgi/harness's `inject` (no socket).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InjectResult, type InjectTarget, inject } from '@fcgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type TestRequest, type TestResponse, cgiParams, multipartBody, send as sendOverClient } from './fastcgi-request.js';

export interface SuiteContext {
  /** Directory holding hello.txt and big.bin. */
  staticRoot: string;
  /** Called by GET /hang when its request is closed before an answer. */
  onAbort: () => void;
}

export interface ServedApp {
  /** The FastCGI address, `127.0.0.1:PORT`. */
  address: string;
  /** The framework's own close (which must close the FastCGI server gracefully). */
  close: () => Promise<void>;
}

export const bigFile = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 7) % 251));
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** How the checks reach the app. */
interface Transport {
  /** Sends one request and reads the whole answer. */
  send: (request: TestRequest) => Promise<TestResponse>;
  /** Sends GET `url` and has the web server give up on it after `ms`; resolves once the request failed as aborted. */
  abortAfter: (url: string, ms: number) => Promise<void>;
  /** GET /stream, as the STDOUT pieces it arrived in. */
  streamChunks: () => Promise<string[]>;
  /** Loopback only: the served app and its client (for the socket-level checks). */
  loopback?: { app: ServedApp; client: Client };
  close: () => Promise<void>;
}

/** Runs the suite against the app `start` builds, over loopback FastCGI. */
export function servedAppSuite(name: string, start: (context: SuiteContext) => Promise<ServedApp>, options: { authorizer?: boolean } = {}): void {
  appSuite(`served over FastCGI: ${name}`, async (context) => {
    const app = await start(context);
    const client = new Client({ address: app.address });
    return {
      send: (request) => sendOverClient(client, request),
      streamChunks: async () => {
        const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/stream', SCRIPT_NAME: '/stream', REMOTE_ADDR: '192.0.2.1' } });
        const chunks: string[] = [];
        for await (const chunk of response.body) chunks.push((chunk as Buffer).toString());
        return chunks;
      },
      abortAfter: async (url, ms) => {
        const controller = new AbortController();
        const pending = sendOverClient(client, { url, signal: controller.signal });
        setTimeout(() => controller.abort(), ms);
        await expect(pending).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_FCGI_/) as unknown });
      },
      loopback: { app, client },
      close: () => client.close(),
    };
  }, { ...options, socket: true });
}

function injectResponse(result: InjectResult): TestResponse {
  const text = result.text();
  return { status: result.status, headers: result.headers, body: result.body, text, json: () => JSON.parse(text) as unknown };
}

/** The response body as the STDOUT records carried it (the CGI head cut off the front). */
function bodyPieces(result: InjectResult): string[] {
  const stdout = result.records.filter((record) => record.direction === 'from-app' && record.type === 6);
  const pieces: string[] = [];
  let head = '';
  let inHead = true;
  for (const record of stdout) {
    const text = Buffer.from((record as { content: Uint8Array }).content).toString();
    if (inHead) {
      head += text;
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) continue;
      inHead = false;
      const rest = head.slice(end + 4);
      if (rest !== '') pieces.push(rest);
    } else if (text !== '') pieces.push(text);
  }
  return pieces;
}

/** Runs the suite against the target `build` returns, in-process through `inject` (no socket). */
export function injectedAppSuite(name: string, build: (context: SuiteContext) => Promise<InjectTarget>, options: { authorizer?: boolean } = {}): void {
  appSuite(`through inject: ${name}`, async (context) => {
    const target = await build(context);
    return {
      send: async (request) => {
        const result = await inject(target, {
          method: request.method ?? 'GET',
          url: request.url,
          params: cgiParams(request),
          ...(request.body === undefined ? {} : { body: Buffer.from(request.body) }),
          ...(request.role === undefined ? {} : { role: request.role }),
        });
        return injectResponse(result);
      },
      abortAfter: async (url, ms) => {
        const result = await inject(target, { url, abortAfter: ms });
        expect(result.aborted).toBe(true);
      },
      streamChunks: async () => {
        const result = await inject(target, { url: '/stream', remoteAddress: '192.0.2.1' });
        expect(result.status).toBe(200);
        return bodyPieces(result);
      },
      close: () => Promise.resolve(),
    };
  }, { ...options, socket: false });
}

function appSuite(title: string, open: (context: SuiteContext) => Promise<Transport>, options: { authorizer?: boolean; socket: boolean }): void {
  describe(title, () => {
    const staticRoot = mkdtempSync(join(tmpdir(), 'fcgi-suite-'));
    let aborted!: () => void;
    let abortSeen = new Promise<void>((resolve) => (aborted = resolve));
    let transport: Transport;
    const send = (request: TestRequest): Promise<TestResponse> => transport.send(request);

    beforeAll(async () => {
      writeFileSync(join(staticRoot, 'hello.txt'), 'hello, static\n');
      writeFileSync(join(staticRoot, 'big.bin'), bigFile);
      transport = await open({ staticRoot, onAbort: () => aborted() });
    });

    afterAll(async () => {
      await transport?.close();
      rmSync(staticRoot, { recursive: true, force: true });
    });

    it('routes with params and parses the query', async () => {
      const response = await send({ url: '/users/42?sort=name&tag=a&tag=b' });
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ id: '42', query: { sort: 'name', tag: ['a', 'b'] } });
    });

    it('answers 404 for unknown routes', async () => {
      expect((await send({ url: '/nope' })).status).toBe(404);
    });

    it('takes the client address from REMOTE_ADDR and honours trust proxy', async () => {
      const direct = await send({ url: '/whoami', remoteAddress: '192.0.2.1', headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(direct.json()).toMatchObject({ ip: '192.0.2.1', protocol: 'http', secure: false });
      const proxied = await send({ url: '/whoami', remoteAddress: '203.0.113.7', headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(proxied.json()).toMatchObject({ ip: '198.51.100.1' });
    });

    it('reports https from the HTTPS param, and exposes the FastCGI role and params', async () => {
      const response = await send({ url: '/whoami', https: true, remoteAddress: '192.0.2.9' });
      expect(response.json()).toEqual({ ip: '192.0.2.9', protocol: 'https', secure: true, role: 'responder', remoteAddr: '192.0.2.9' });
    });

    it('parses JSON, urlencoded and raw bodies', async () => {
      const json = await send({ method: 'POST', url: '/echo/json', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2],"b":"é"}' });
      expect(json.json()).toEqual({ body: { a: [1, 2], b: 'é' } });
      const form = await send({ method: 'POST', url: '/echo/form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=J%C3%B6rg&x=1' });
      expect(form.json()).toEqual({ body: { name: 'Jörg', x: '1' } });
      const raw = Buffer.from([0, 255, 1, 254, 2]);
      const bytes = await send({ method: 'POST', url: '/echo/raw', headers: { 'content-type': 'application/octet-stream' }, body: raw });
      expect(bytes.json()).toEqual({ length: 5, hex: '00ff01fe02' });
    });

    it('parses multipart uploads', async () => {
      const content = Buffer.alloc(70_000, 7);
      const body = multipartBody('XyZ123', ['title', 'holiday'], { field: 'photo', name: 'beach.jpg', content });
      const response = await send({ method: 'POST', url: '/upload', headers: { 'content-type': 'multipart/form-data; boundary=XyZ123' }, body });
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ fields: { title: 'holiday' }, files: [{ field: 'photo', name: 'beach.jpg', size: 70_000 }] });
    });

    it('redirects', async () => {
      const response = await send({ url: '/redirect' });
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/target');
    });

    it('sets several cookies and reads them back', async () => {
      const set = await send({ url: '/cookies/set' });
      const cookies = set.headers['set-cookie'];
      expect(cookies).toHaveLength(2);
      expect((cookies as string[])[0]).toMatch(/^session=abc; .*HttpOnly/i);
      expect((cookies as string[])[1]).toMatch(/^theme=dark/);
      const read = await send({ url: '/cookies/read', headers: { cookie: 'session=abc; theme=dark' } });
      expect(read.json()).toEqual({ cookies: { session: 'abc', theme: 'dark' } });
    });

    it('serves static files, sendFile and downloads (streamed, byte-exact)', async () => {
      const hello = await send({ url: '/static/hello.txt' });
      expect(hello.status).toBe(200);
      expect(hello.headers['content-type']).toMatch(/^text\/plain/);
      expect(hello.text).toBe('hello, static\n');
      const big = await send({ url: '/file' });
      expect(big.body.length).toBe(bigFile.length);
      expect(sha(big.body)).toBe(sha(bigFile));
      const download = await send({ url: '/download' });
      expect(download.headers['content-disposition']).toMatch(/^attachment; filename="?report\.txt"?$/);
      expect(download.text).toBe('hello, static\n');
    });

    it('routes errors to the error handler', async () => {
      const response = await send({ url: '/fail' });
      expect(response.status).toBe(418);
      expect(response.json()).toEqual({ error: 'boom' });
    });

    it('streams responses chunk by chunk', async () => {
      const chunks = await transport.streamChunks();
      expect(chunks.join('')).toBe('chunk-0\nchunk-1\nchunk-2\n');
      expect(chunks.length).toBeGreaterThan(1);
    });

    it("signals req 'close' when the web server aborts the request", async () => {
      await transport.abortAfter('/hang', 100);
      await abortSeen;
      abortSeen = Promise.resolve();
    });

    if (options.authorizer !== false) {
      it('answers Authorizer requests: 200 with variables, or a denial', async () => {
        const allowed = await send({ url: '/private/report', role: 'authorizer', headers: { authorization: 'Bearer good' } });
        expect(allowed.status).toBe(200);
        expect(allowed.headers['variable-user']).toBe('alice');
        const denied = await send({ url: '/private/report', role: 'authorizer', headers: { authorization: 'Bearer bad' } });
        expect(denied.status).toBe(401);
      });
    }

    // Graceful shutdown closes a listening socket; inject has none: loopback only.
    if (options.socket) it("shuts down gracefully with the framework's close", async () => {
      const { app, client } = transport.loopback!;
      const slow = sendOverClient(client, { url: '/slow' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closed = app.close();
      const response = await slow;
      expect(response.status).toBe(200);
      expect(response.text).toBe('done');
      await closed;
      const late = new Client({ address: app.address, connectTimeout: 1000 });
      await expect(sendOverClient(late, { url: '/users/1' })).rejects.toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED' });
      await late.close();
    });
  });
}

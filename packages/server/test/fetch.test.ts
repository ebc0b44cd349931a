import { RecordType } from '@fcgi/codec';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toNodeListener } from '../src/index.js';
import { TestClient, baseParams, delay, startServer } from './support/harness.js';

describe('fetch-style handlers', () => {
  it("does not load node's fetch implementation (undici) for a node:http-style server", () => {
    const entry = JSON.stringify(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
    const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', `
      const { createServer } = await import(${entry});
      createServer((req, res) => res.end());
      process.stdout.write(String(process.moduleLoadList.some((name) => name.includes('undici'))));
    `]).toString();
    expect(loaded).toBe('false');
  });

  it('gets a web Request with an absolute URL, headers and a streamed body', async () => {
    let seen: { url: string; method: string; type: string | null; body: string; scheme: string } | undefined;
    const { port } = await startServer({
      fetch: async (request, context) => {
        seen = { url: request.url, method: request.method, type: request.headers.get('content-type'), body: await request.text(), scheme: context.fastcgi.params.HTTPS ?? '' };
        return new Response('ok');
      },
    });
    const client = await TestClient.connect(port);
    await client.fetch(1, {
      params: baseParams('/items?q=1', { REQUEST_METHOD: 'POST', HTTP_HOST: 'shop.test', HTTPS: 'on', CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '4' }),
      body: 'ping',
    });
    expect(seen).toEqual({ url: 'https://shop.test/items?q=1', method: 'POST', type: 'text/plain', body: 'ping', scheme: 'on' });
  });

  it('sends status, headers with every Set-Cookie, and a streamed body', async () => {
    const { port } = await startServer({
      fetch: () => {
        const headers = new Headers({ 'Content-Type': 'text/plain' });
        headers.append('Set-Cookie', 'a=1');
        headers.append('Set-Cookie', 'b=2');
        let count = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            await delay(2);
            if (count === 3) controller.close();
            else controller.enqueue(new TextEncoder().encode(`part${count++};`));
          },
        });
        return new Response(body, { status: 207, statusText: 'Multi', headers });
      },
    });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1);
    expect(reply.stdout.toString('latin1').split('\r\n')[0]).toBe('Status: 207 Multi');
    expect(reply.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value)).toEqual(['a=1', 'b=2']);
    expect(reply.body.toString()).toBe('part0;part1;part2;');
  });

  it('aborts the Request signal on ABORT_REQUEST', async () => {
    let aborted = false;
    const { port } = await startServer({
      fetch: (request) =>
        new Promise<Response>((resolve) => {
          request.signal.addEventListener('abort', () => {
            aborted = true;
            resolve(new Response('too late'));
          });
        }),
    });
    const client = await TestClient.connect(port);
    client.request(1);
    await delay(20);
    client.send({ type: RecordType.AbortRequest, requestId: 1 });
    await client.waitFor((record) => record.type === RecordType.EndRequest);
    await delay(20);
    expect(aborted).toBe(true);
    expect(client.records.filter((record) => record.type === RecordType.Stdout && record.content.length > 0)).toEqual([]);
  });

  it('turns a throwing fetch handler into a 500', async () => {
    const { port, requestErrors } = await startServer({}, toNodeListener(() => {
      throw new Error('nope');
    }));
    const client = await TestClient.connect(port);
    expect((await client.fetch(1)).status).toBe(500);
    expect(requestErrors).toHaveLength(1);
  });

  it('hands a Request that behaves as one whether or not the body is read: instanceof, clone, headers, inspect', async () => {
    const seen: Record<string, unknown>[] = [];
    const { port } = await startServer({
      fetch: async (request) => {
        request.headers.set('x-added', 'by the handler');
        const entry: Record<string, unknown> = {
          isRequest: request instanceof Request,
          method: request.method,
          url: request.url,
          host: request.headers.get('host'),
          aborted: request.signal.aborted,
          inspected: inspect(request).startsWith('Request'),
        };
        if (request.method === 'POST') {
          const copy = request.clone();
          entry.body = await request.text();
          entry.copy = await copy.text();
          entry.bodyUsed = request.bodyUsed;
          entry.added = request.headers.get('x-added');
        } else {
          entry.body = request.body;
          entry.cache = request.cache;
        }
        seen.push(entry);
        return new Response('ok');
      },
    });
    const client = await TestClient.connect(port);
    await client.fetch(1, { params: baseParams('/a?b=1', { HTTP_HOST: 'light.test' }) });
    await client.fetch(2, { params: baseParams('/form', { REQUEST_METHOD: 'POST', HTTP_HOST: 'light.test', CONTENT_LENGTH: '5' }), body: 'hello' });
    expect(seen).toEqual([
      { isRequest: true, method: 'GET', url: 'http://light.test/a?b=1', host: 'light.test', aborted: false, inspected: true, body: null, cache: 'default' },
      { isRequest: true, method: 'POST', url: 'http://light.test/form', host: 'light.test', aborted: false, inspected: true, body: 'hello', copy: 'hello', bodyUsed: true, added: 'by the handler' },
    ]);
  });

  it('validates a method a Request refuses, as a Request does', async () => {
    const { port, requestErrors } = await startServer({ fetch: () => new Response('never') });
    const client = await TestClient.connect(port);
    const reply = await client.fetch(1, { params: baseParams('/', { REQUEST_METHOD: 'CONNECT' }) });
    expect(reply.status).toBe(500);
    expect(requestErrors).toHaveLength(1);
  });
});

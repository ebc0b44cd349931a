/**
 * A handler that never ends, throws, or keeps writing after the abort, under load, through
 * a real nginx (issue 9): a node:http client -> nginx 1.22 -> @fcgi/server in this process.
 *
 * Each run sends a batch of faulty requests at once while 8 workers keep sending small
 * normal requests (at least 300, and on until every faulty one has settled). The faulty
 * routes sit behind `fastcgi_read_timeout 1s`; the normal ones keep nginx's default (60 s),
 * so that a loaded machine cannot turn a slow normal answer into a 504. Two variants:
 * kept upstream connections (`fastcgi_keep_conn on`, `keepalive 8`) and plain ones (one
 * connection per request).
 *
 * What must hold: every normal request is answered 200 with its own body; every request
 * whose handler never writes gets nginx's 504 (once nginx's timeout ran, and within a
 * bound); one that wrote a first chunk and then stalled gets a 200 whose body is cut;
 * each such handler sees 'close' with its signal aborted once nginx gives up; the server's
 * active request count returns to 0; its connection count stays bounded while it runs and
 * falls back to at most nginx's idle pool; no descriptor is left open; no connection or
 * request error is reported; and requests sent afterwards are served. A handler that
 * throws gets a 500 (reported as ERR_FCGI_HANDLER_ERROR); one that keeps writing and ends
 * after the abort is dropped silently (nothing thrown, nothing reported).
 *
 * nginx never sends FCGI_ABORT_REQUEST: it gives up by closing the upstream connection,
 * so nothing can follow on it. What the server writes for an aborted id on a connection
 * that stays open (ABORT_REQUEST, id reuse) is checked record by record in
 * packages/server/test/abort.test.ts.
 */
import { once } from 'node:events';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FastCgiServer, createServer } from '@fcgi/server';
import { type HttpPeer, requirePeers, startNginx } from '@fcgi/test-peers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDescriptors, waitFor } from './support/faults-app.js';
import { FIRST_CHUNK, type Handled, type HttpOutcome, httpGet, neverEndsApp } from './support/never-ends-app.js';

const peers = requirePeers('nginx');

/** nginx's idle pool of kept connections to the app (`keepalive`). */
const KEEPALIVE = 8;
/** Workers sending normal requests. */
const CONCURRENCY = 8;
/** Normal requests sent at least (more while faulty requests are still pending). */
const NORMAL_REQUESTS = 300;
/** A bound on normal requests, whatever happens. */
const NORMAL_CAP = 20_000;
/** nginx's `fastcgi_read_timeout` on the faulty routes, in ms. */
const READ_TIMEOUT = 1000;
/** How long a faulty request may take, at most, on a loaded machine (the bound, not a speed target). */
const FAULT_BOUND = 20_000;

function location(path: string, pass: string, extra: string): string {
  return `
    location ${path} {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass ${pass};
      ${extra}
    }`;
}

type Variant = 'kept' | 'plain';
const variants: readonly Variant[] = ['kept', 'plain'];

/** What a mixed run sent and got. */
interface MixedRun {
  normal: { id: string; outcome: HttpOutcome }[];
  faulty: { id: string; route: string; outcome: HttpOutcome }[];
  /** The most connections the server had open at once. */
  peakConnections: number;
  /** The most requests the server had running at once. */
  peakActive: number;
}

describe.skipIf(!peers.available)(peers.title('HTTP client -> nginx -> @fcgi/server: handlers that never end, throw or write after the abort, under load'), () => {
  const app = neverEndsApp();
  const requestErrors: { code: string; message: string }[] = [];
  const connectionErrors: string[] = [];
  let server: FastCgiServer;
  let nginx: HttpPeer;
  let baseline = 0;
  let run = 0;

  beforeAll(async () => {
    server = createServer({ closeTimeout: 500 }, app.listener);
    server.on('requestError', (error) => requestErrors.push({ code: error.code, message: error.message }));
    server.on('connectionError', (error) => connectionErrors.push(error.code));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const upstream = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kept = 'fastcgi_keep_conn on;';
    const short = `fastcgi_read_timeout ${READ_TIMEOUT / 1000}s;`;
    nginx = await startNginx({
      http: `upstream kept { server ${upstream}; keepalive ${KEEPALIVE}; }`,
      server: `
${location('/kept/slow/', 'kept', `${kept} ${short}`)}
${location('/kept/', 'kept', kept)}
${location('/plain/slow/', upstream, short)}
${location('/plain/', upstream, '')}`,
    });
    const agent = new Agent({ keepAlive: false });
    expect((await httpGet(nginx.port, '/kept/hello?id=warm-up', agent)).body).toBe('hello warm-up');
  });

  afterAll(async () => {
    await nginx?.stop();
    server?.closeAllConnections();
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    requestErrors.length = 0;
    connectionErrors.length = 0;
    // nginx keeps up to KEEPALIVE idle connections to us: they are not leaks.
    baseline = openDescriptors() - server.connectionCount;
  });

  /** Sends `faulty` (route, count) at once, and normal requests from 8 workers until they all settled. */
  async function mixedLoad(variant: Variant, faulty: readonly (readonly [route: string, count: number])[]): Promise<MixedRun> {
    const tag = `${variant}-${++run}`;
    const result: MixedRun = { normal: [], faulty: [], peakConnections: server.connectionCount, peakActive: 0 };
    const sample = (): void => {
      result.peakConnections = Math.max(result.peakConnections, server.connectionCount);
      result.peakActive = Math.max(result.peakActive, server.activeRequests);
    };
    server.on('connection', sample);
    const sampler = setInterval(sample, 10);
    const faultyAgent = new Agent({ keepAlive: false });
    const normalAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let pending = 0;
    const faultyRequests = faulty.flatMap(([route, count]) =>
      Array.from({ length: count }, async (_, index) => {
        const id = `${tag}-${route}-${index}`;
        pending++;
        const outcome = await httpGet(nginx.port, `/${variant}/slow/${route}?id=${id}`, faultyAgent);
        pending--;
        result.faulty.push({ id, route, outcome });
      }),
    );
    const worker = async (): Promise<void> => {
      while ((result.normal.length < NORMAL_REQUESTS || pending > 0) && result.normal.length < NORMAL_CAP) {
        const entry = { id: `${tag}-hello-${result.normal.length}`, outcome: { status: -1, body: '', complete: false, elapsed: 0 } };
        result.normal.push(entry);
        entry.outcome = await httpGet(nginx.port, `/${variant}/hello?id=${entry.id}`, normalAgent);
      }
    };
    await Promise.all([...faultyRequests, ...Array.from({ length: CONCURRENCY }, worker)]);
    clearInterval(sampler);
    server.off('connection', sample);
    faultyAgent.destroy();
    normalAgent.destroy();
    return result;
  }

  function expectNormalServed(mixed: MixedRun): void {
    expect(mixed.normal.length).toBeGreaterThanOrEqual(NORMAL_REQUESTS);
    const wrong = mixed.normal.filter(({ id, outcome }) => outcome.status !== 200 || outcome.body !== `hello ${id}` || !outcome.complete);
    expect(wrong).toEqual([]);
  }

  async function handledOf(id: string): Promise<Handled> {
    await waitFor(() => app.handled.get(id)?.closed === true, `the handler's response to ${id} to close`);
    return app.handled.get(id) as Handled;
  }

  /** Waits until `read()` is at most `most`; fails showing the value when it does not come down. */
  async function settles(read: () => number, most: number, what: string): Promise<void> {
    await waitFor(() => read() <= most, `${what} <= ${most}`).catch(() => undefined);
    expect(read(), what).toBeLessThanOrEqual(most);
  }

  /** Nothing left running or open, connections back to nginx's idle pool, and later requests served. */
  async function expectRecovered(variant: Variant): Promise<void> {
    await settles(() => server.activeRequests, 0, 'active requests');
    // Both variants share the server: the kept variant's idle pool may still be open.
    await settles(() => server.connectionCount, KEEPALIVE, 'open connections');
    await settles(() => openDescriptors() - server.connectionCount, baseline, 'descriptors other than the connections');
    const agent = new Agent({ keepAlive: false });
    const later = await Promise.all(Array.from({ length: 8 }, (_, index) => httpGet(nginx.port, `/${variant}/hello?id=later-${run}-${index}`, agent)));
    expect(later.map((outcome) => [outcome.status, outcome.body])).toEqual(later.map((_, index) => [200, `hello later-${run}-${index}`]));
    await settles(() => server.activeRequests, 0, 'active requests after the later ones');
    expect(connectionErrors).toEqual([]);
  }

  function summary(name: string, mixed: MixedRun): string {
    const times = mixed.faulty.map(({ outcome }) => outcome.elapsed).sort((a, b) => a - b);
    const statuses = new Map<string, number>();
    for (const { route, outcome } of mixed.faulty) {
      const key = `${route} ${outcome.status}${outcome.complete ? '' : ' cut'} ${outcome.body.length} B`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    return `${name}: normal ${mixed.normal.length} (all 200), faulty ${JSON.stringify(Object.fromEntries(statuses))}, faulty time ${Math.round(times[0] ?? 0)}..${Math.round(times.at(-1) ?? 0)} ms, peak connections ${mixed.peakConnections}, peak active ${mixed.peakActive}`;
  }

  for (const variant of variants) {
    it(`${variant}: 20 handlers that never end (10 never write, 10 stall after a first chunk) among steady normal traffic`, async () => {
      const mixed = await mixedLoad(variant, [
        ['never', 10],
        ['stall', 10],
      ]);
      console.info(summary(`never ends, ${variant}`, mixed));
      expectNormalServed(mixed);
      expect(mixed.faulty).toHaveLength(20);
      for (const { id, route, outcome } of mixed.faulty) {
        // Not an early failure: nginx's timeout ran (half of it, as nginx's clock is cached).
        expect(outcome.elapsed, id).toBeGreaterThanOrEqual(READ_TIMEOUT / 2);
        expect(outcome.elapsed, id).toBeLessThan(FAULT_BOUND);
        if (route === 'never') {
          expect([outcome.status, outcome.complete], id).toEqual([504, true]);
        } else {
          // The head and first chunk went out, so nginx can only cut the body. Kept
          // connections pass the chunk on; on a plain one nginx holds it in its (not yet
          // full) response buffer and drops it at the timeout.
          expect([outcome.status, outcome.complete], id).toEqual([200, false]);
          expect(outcome.body, id).toBe(variant === 'kept' ? FIRST_CHUNK : '');
        }
        const handled = await handledOf(id);
        expect([handled.aborted, handled.finished], id).toEqual([true, false]);
      }
      // Bounded: the faulty requests, nginx's idle pool, and per normal worker one connection
      // in use and (plain) one still closing; it does not grow with the number of requests.
      expect(mixed.peakConnections).toBeLessThanOrEqual(20 + 2 * CONCURRENCY + KEEPALIVE);
      expect(requestErrors).toEqual([]);
      await expectRecovered(variant);
    }, 60_000);
  }

  for (const variant of variants) {
    it(`${variant}: 20 handlers that throw (10 before writing, 10 after a first chunk) among steady normal traffic`, async () => {
      const mixed = await mixedLoad(variant, [
        ['throw', 10],
        ['throw-late', 10],
      ]);
      console.info(summary(`throws, ${variant}`, mixed));
      expectNormalServed(mixed);
      expect(mixed.faulty).toHaveLength(20);
      for (const { id, route, outcome } of mixed.faulty) {
        if (route === 'throw') {
          expect([outcome.status, outcome.body, outcome.complete], id).toEqual([500, 'Internal Server Error\n', true]);
        } else {
          // The head was out: the server ends the request with appStatus 1, which nginx
          // ignores; the HTTP client gets what was written (see docs/reliability.md).
          expect([outcome.status, outcome.body], id).toEqual([200, FIRST_CHUNK]);
        }
        const handled = await handledOf(id);
        expect(handled.aborted, id).toBe(false);
      }
      expect(requestErrors).toHaveLength(20);
      expect(new Set(requestErrors.map((error) => error.code))).toEqual(new Set(['ERR_FCGI_HANDLER_ERROR']));
      await expectRecovered(variant);
    }, 60_000);
  }

  for (const variant of variants) {
    it(`${variant}: 20 handlers that keep writing after the abort, among steady normal traffic: no error, nothing breaks`, async () => {
      const mixed = await mixedLoad(variant, [['after-abort', 20]]);
      console.info(summary(`writes after abort, ${variant}`, mixed));
      expectNormalServed(mixed);
      expect(mixed.faulty).toHaveLength(20);
      for (const { id, outcome } of mixed.faulty) {
        expect([outcome.status, outcome.complete], id).toEqual([504, true]);
        const handled = await handledOf(id);
        expect([handled.aborted, handled.finished], id).toEqual([true, false]);
        // It writes 20 times and ends, after the abort: every write is silently dropped.
        await waitFor(() => handled.writesAfterAbort === 20, `${id} to write 20 times after the abort`);
        expect(handled.writeThrew, id).toBe(false);
      }
      expect(requestErrors).toEqual([]);
      await expectRecovered(variant);
    }, 60_000);
  }
});

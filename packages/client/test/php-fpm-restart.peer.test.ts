/**
 * php-fpm restarted mid-run with requests in flight (issue 4: "php-fpm restarted mid-run
 * (the pool recovers)"). A steady stream of requests (some slow) runs through one Client
 * while php-fpm is
 *
 * - killed with SIGKILL and started again on the same address: the requests in flight fail
 *   with a typed ERR_FCGI_* error before the new php-fpm exists (no hang), every request
 *   issued after the restart succeeds, and the pool ends with no leaked connection (php-fpm's
 *   status page shows no worker held by a forgotten connection);
 * - reloaded gracefully with SIGUSR2: the requests in flight complete, new workers serve
 *   the rest, nothing fails.
 *
 * php-fpm.peer.test.ts covers a restart *between* requests; this file covers restarts while
 * requests run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastCgiError } from '@fcgi/codec';
import { type PhpFpmPeer, requirePeers, startPhpFpm } from '@fcgi/test-peers';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../src/index.js';

const peers = requirePeers('php-fpm');
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The scripts: a fast one and a slow one, both naming the worker that ran them. */
function documentRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'fcgi-php-restart-'));
  writeFileSync(join(root, 'small.php'), "<?php echo 'small ', getmypid();");
  writeFileSync(join(root, 'sleep.php'), "<?php usleep(400000); echo 'slept ', getmypid();");
  writeFileSync(join(root, 'hang.php'), "<?php echo 'started'; flush(); sleep(30); echo 'never';");
  writeFileSync(join(root, 'hang-silent.php'), '<?php sleep(30); echo "never";');
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** php-fpm with 4 workers; `process_control_timeout` lets busy workers finish on reload. */
async function php(root: string, listen?: number): Promise<PhpFpmPeer> {
  const started = await startPhpFpm({
    documentRoot: root,
    maxChildren: 4,
    pool: '[global]\nprocess_control_timeout = 20s',
    ...(listen === undefined ? {} : { listen }),
  });
  cleanups.push(() => started.stop());
  return started;
}

function scriptParams(root: string, script: string): Record<string, string> {
  return { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: join(root, script), SCRIPT_NAME: `/${script}`, REQUEST_URI: `/${script}` };
}

/** Reads a response to its end: 'ok', or the typed error's code. */
async function drain(body: AsyncIterable<unknown>, done: Promise<unknown>): Promise<string> {
  try {
    for await (const chunk of body) void chunk;
    await done;
    return 'ok';
  } catch (error) {
    return FastCgiError.is(error) ? error.code : `untyped: ${String(error)}`;
  }
}

/** One request of the stream and how it ended. */
interface Outcome {
  readonly script: string;
  readonly startedAt: number;
  endedAt: number;
  /** 'ok' or the error code. */
  result: string;
  /** The worker pid that answered. */
  pid?: number;
  settled: Promise<void>;
}

/** Runs one request to completion; a typed error becomes its code, anything else 'untyped: ...'. */
function run(client: Client, root: string, script: string, sequence: { value: number }): Outcome {
  const outcome: Outcome = { script, startedAt: sequence.value++, endedAt: 0, result: 'pending', settled: Promise.resolve() };
  outcome.settled = (async () => {
    try {
      const response = await client.request({ params: scriptParams(root, script) });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      await response.done;
      const text = Buffer.concat(chunks).toString();
      outcome.pid = Number(text.split(' ')[1]);
      outcome.result = response.status === 200 && /^(small|slept) \d+$/.test(text) ? 'ok' : `bad answer: ${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      outcome.result = FastCgiError.is(error) ? error.code : `untyped: ${String(error)}`;
    }
    outcome.endedAt = sequence.value++;
  })();
  return outcome;
}

/**
 * A steady stream: `lanes` loops, each sending one request after another (every third a
 * slow one). After a failure a lane pauses briefly so that a refused connect does not spin.
 */
class Stream {
  readonly outcomes: Outcome[] = [];
  /** A logical clock: start and end events are numbered in the order they happened. */
  readonly sequence = { value: 0 };
  #stopped = false;
  readonly #lanes: Promise<void>[] = [];

  constructor(client: Client, root: string, lanes: number) {
    for (let lane = 0; lane < lanes; lane++) this.#lanes.push(this.#lane(client, root, lane));
  }

  async #lane(client: Client, root: string, lane: number): Promise<void> {
    for (let index = 0; !this.#stopped; index++) {
      const outcome = run(client, root, (index + lane) % 3 === 0 ? 'sleep.php' : 'small.php', this.sequence);
      this.outcomes.push(outcome);
      await outcome.settled;
      if (outcome.result !== 'ok') await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Requests not settled yet. */
  inFlight(): Outcome[] {
    return this.outcomes.filter((outcome) => outcome.result === 'pending');
  }

  /** Successes among the requests started after the logical time `since`. */
  successesSince(since: number): number {
    return this.outcomes.filter((outcome) => outcome.startedAt > since && outcome.result === 'ok').length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#lanes);
  }
}

/** php-fpm's own view: processes busy right now, asked on a connection of its own. */
async function activeWorkers(address: string): Promise<number> {
  const probe = new Client({ address, keepAlive: false, getValues: false });
  try {
    const response = await probe.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/status', SCRIPT_FILENAME: '/status', REQUEST_URI: '/status', QUERY_STRING: 'json' } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    return (JSON.parse(Buffer.concat(chunks).toString()) as { 'active processes': number })['active processes'];
  } finally {
    await probe.close();
  }
}

describe.skipIf(!peers.available)(peers.title('php-fpm restarted while requests run'), () => {
  it('SIGKILL mid-run: requests in flight fail with typed errors, requests after the restart succeed, no connection leaks', async () => {
    const root = documentRoot();
    const first = await php(root);
    const port = first.port as number;
    const client = new Client({ address: first.address, connections: 4, keepAliveTimeout: 60_000, connectTimeout: 2000, queueTimeout: 20_000, headersTimeout: 20_000 });
    cleanups.push(() => client.destroy());
    const stream = new Stream(client, root, 6);
    cleanups.push(() => stream.stop());

    // Running steadily, with slow requests in flight.
    await expect.poll(() => stream.successesSince(-1), { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    await expect.poll(() => stream.inFlight().some((outcome) => outcome.script === 'sleep.php'), { timeout: 10_000 }).toBe(true);
    // And one script certainly mid-run: it wrote its first bytes and sleeps for 30 s.
    const hanging = await client.request({ params: scriptParams(root, 'hang.php') });
    const hung = drain(hanging.body, hanging.done);
    const killedAt = stream.sequence.value++;
    const caught = stream.inFlight();
    process.kill(-first.pid, 'SIGKILL');

    // Every request in flight settles while no php-fpm exists at all: no hang.
    await Promise.all(caught.map((outcome) => outcome.settled));
    const failed = caught.filter((outcome) => outcome.result !== 'ok');
    expect(failed.length, JSON.stringify(caught.map((outcome) => outcome.result))).toBeGreaterThan(0);
    for (const outcome of failed) expect(outcome.result).toMatch(/^ERR_FCGI_(UPSTREAM_CLOSED|CONNECT_FAILED)$/);
    // A script that had started writing its answer when php-fpm died: its body fails, typed.
    expect(await hung).toBe('ERR_FCGI_UPSTREAM_CLOSED');

    await first.stop();
    // The stream keeps going against nothing: clear, typed failures.
    await expect.poll(() => stream.outcomes.filter((outcome) => outcome.startedAt > killedAt && outcome.result === 'ERR_FCGI_CONNECT_FAILED').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const second = await php(root, port);
    const restartedAt = stream.sequence.value++;
    await expect.poll(() => stream.successesSince(restartedAt), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
    await stream.stop();

    const untyped = stream.outcomes.filter((outcome) => !/^(ok|ERR_FCGI_[A-Z_]+)$/.test(outcome.result));
    expect(untyped.map((outcome) => outcome.result)).toEqual([]);
    const afterRestart = stream.outcomes.filter((outcome) => outcome.startedAt > restartedAt);
    expect(afterRestart.filter((outcome) => outcome.result !== 'ok').map((outcome) => outcome.result)).toEqual([]);

    // The pool: nothing running or queued, within its cap; php-fpm has no worker held.
    expect(client.stats).toMatchObject({ running: 0, queued: 0, connecting: 0 });
    expect(client.stats.connections).toBeLessThanOrEqual(4);
    await client.close();
    expect(client.stats.connections).toBe(0);
    await expect.poll(() => activeWorkers(second.address), { timeout: 10_000 }).toBe(1);
  }, 90_000);

  it('a POST php-fpm was running when it was killed fails as sent: not retried, not `unsent`', async () => {
    const root = documentRoot();
    const fpm = await php(root);
    const port = fpm.port as number;
    let connects = 0;
    const connect = (): Promise<Socket> => {
      connects++;
      return new Promise((resolve, reject) => {
        const socket = netConnect({ host: '127.0.0.1', port }, () => resolve(socket));
        socket.once('error', reject);
      });
    };
    const client = new Client({ connect, getValues: false, connections: 1, keepAliveTimeout: 60_000 });
    cleanups.push(() => client.destroy());
    // Warm up: the next request goes out on a reused connection.
    for (let index = 0; index < 2; index++) {
      const warm = await client.request({ params: scriptParams(root, 'small.php') });
      expect(await drain(warm.body, warm.done)).toBe('ok');
    }
    expect(connects).toBe(1);
    const post = { ...scriptParams(root, 'hang-silent.php'), REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/x-www-form-urlencoded' };
    const outcome = client.request({ params: post, body: 'amount=100' }).then(
      () => ({ code: 'answered', unsent: undefined }),
      (error: unknown) => ({ code: FastCgiError.is(error) ? error.code : 'untyped', unsent: (error as { unsent?: boolean }).unsent }),
    );
    // php-fpm runs it: its status page shows two busy workers, the script and the status request.
    await expect.poll(() => activeWorkers(fpm.address), { timeout: 10_000 }).toBe(2);
    process.kill(-fpm.pid, 'SIGKILL');
    const result = await outcome;
    // The script ran for a while. Sending the POST again (here to nothing; after a quick
    // restart, to a new php-fpm that would run it twice; nginx does not resend a POST) or
    // calling it `unsent` (BalancedClient would run it on another upstream) is wrong for a
    // request the app had already started.
    expect({ ...result, connectsAfterKill: connects - 1 }).toEqual({ code: 'ERR_FCGI_UPSTREAM_CLOSED', unsent: false, connectsAfterKill: 0 });
  }, 60_000);

  it('SIGUSR2 (graceful reload) mid-run: requests in flight complete, new workers serve the rest, nothing fails', async () => {
    const root = documentRoot();
    const fpm = await php(root);
    const client = new Client({ address: fpm.address, connections: 4, keepAliveTimeout: 60_000, connectTimeout: 2000, queueTimeout: 20_000, headersTimeout: 20_000 });
    cleanups.push(() => client.destroy());
    const stream = new Stream(client, root, 6);
    cleanups.push(() => stream.stop());

    await expect.poll(() => stream.successesSince(-1), { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    await expect.poll(() => stream.inFlight().some((outcome) => outcome.script === 'sleep.php'), { timeout: 10_000 }).toBe(true);
    const oldWorkers = new Set(stream.outcomes.filter((outcome) => outcome.pid !== undefined).map((outcome) => outcome.pid));
    const caught = stream.inFlight();
    process.kill(fpm.pid, 'SIGUSR2');

    await Promise.all(caught.map((outcome) => outcome.settled));
    expect(caught.map((outcome) => outcome.result)).toEqual(caught.map(() => 'ok'));
    const settledAt = stream.sequence.value++;
    await expect.poll(() => stream.successesSince(settledAt), { timeout: 30_000 }).toBeGreaterThanOrEqual(30);
    await stream.stop();

    expect(stream.outcomes.filter((outcome) => outcome.result !== 'ok').map((outcome) => outcome.result), fpm.logs()).toEqual([]);
    // The reload happened: the last requests were answered by new workers only.
    const late = stream.outcomes.slice(-10);
    expect(late.filter((outcome) => oldWorkers.has(outcome.pid))).toEqual([]);
    expect(client.stats).toMatchObject({ running: 0, queued: 0, connecting: 0 });
    await client.close();
    expect(client.stats.connections).toBe(0);
    await expect.poll(() => activeWorkers(fpm.address), { timeout: 10_000 }).toBe(1);
  }, 90_000);
});

import { describe, expect, it } from 'vitest';
import type { FastCgiError, HeaderEntry } from '@fcgi/codec';
import { BalancedClient, Client, type DispatchController, type DispatchHandler, type RequestOptions } from '../src/index.js';
import { type FakeConnection, type FakeRequest, startFakeApp } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';
import { waitFor } from './support/wait.js';
import { freePort } from './support/php-fpm.js';

const { apps, clients, setup } = useFakeAppClients();

async function deadAddress(): Promise<string> {
  return `127.0.0.1:${await freePort()}`;
}

/** A handler that records every call, in order; `settled` resolves after onEnd or onError. */
class Recorder implements DispatchHandler {
  readonly calls: string[] = [];
  head: { status: number; statusText: string; rawHeaders: readonly HeaderEntry[] } | undefined;
  readonly chunks: Buffer[] = [];
  readonly stderr: Buffer[] = [];
  error: FastCgiError | undefined;
  appStatus: number | undefined;
  readonly settled: Promise<void>;
  #settle: () => void = () => {};
  constructor(readonly dataResult: (chunk: Buffer) => boolean | void = () => true) {
    this.settled = new Promise((resolve) => (this.#settle = resolve));
  }
  get body(): string {
    return Buffer.concat(this.chunks).toString();
  }
  onHead(status: number, statusText: string, rawHeaders: readonly HeaderEntry[]): void {
    this.calls.push('head');
    this.head = { status, statusText, rawHeaders };
  }
  onData(chunk: Buffer): boolean | void {
    this.calls.push('data');
    this.chunks.push(chunk);
    return this.dataResult(chunk);
  }
  onStderr(chunk: Buffer): void {
    this.calls.push('stderr');
    this.stderr.push(chunk);
  }
  onEnd(end: { appStatus: number }): void {
    this.calls.push('end');
    this.appStatus = end.appStatus;
    this.#settle();
  }
  onError(error: FastCgiError): void {
    this.calls.push('error');
    this.error = error;
    this.#settle();
  }
}

function dispatch(client: Client | BalancedClient, options: RequestOptions = {}, recorder = new Recorder()): { recorder: Recorder; controller: DispatchController } {
  return { recorder, controller: client.dispatch(options, recorder) };
}

describe('Client.dispatch', () => {
  it('calls onHead, onData, onStderr and onEnd in the order the records came', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'Status: 201 Made\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nfirst ');
      connection.stderr(request.requestId, 'warning\n');
      connection.stdout(request.requestId, 'second');
      connection.end(request.requestId, 7);
    });
    const { recorder } = dispatch(client, { params: { NAME: 'x' } });
    await recorder.settled;
    expect(recorder.head).toEqual({ status: 201, statusText: 'Made', rawHeaders: [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']] });
    expect(recorder.body).toBe('first second');
    expect(Buffer.concat(recorder.stderr).toString()).toBe('warning\n');
    expect(recorder.calls).toEqual(['head', 'data', 'stderr', 'data', 'end']);
    expect(recorder.appStatus).toBe(7);
  });

  it('drops STDERR when the handler has no onStderr', async () => {
    const { client } = await setup((request, connection) => {
      connection.stderr(request.requestId, 'noise');
      connection.respond(request.requestId, 'A: b', 'ok');
    });
    const calls: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.dispatch({}, { onHead: () => calls.push('head'), onData: () => void calls.push('data'), onEnd: () => resolve(), onError: reject });
    });
    expect(calls).toEqual(['head', 'data']);
  });

  it('calls onError before it returns for a closed client, invalid options and a full queue', async () => {
    const { client } = await setup(() => {}, { connections: 1, maxQueue: 1 });
    const invalid = dispatch(client, { role: 'nobody' as never });
    expect(invalid.recorder.error?.code).toBe('ERR_FCGI_INVALID_OPTION');
    dispatch(client); // takes the only connection (the app never answers)
    await waitFor(() => client.stats.running === 1);
    dispatch(client); // waits in the queue
    const full = dispatch(client);
    expect(full.recorder.error).toMatchObject({ code: 'ERR_FCGI_QUEUE_FULL', unsent: true });
    void client.close();
    const closed = dispatch(client);
    expect(closed.recorder.error).toMatchObject({ code: 'ERR_FCGI_CLIENT_CLOSED', unsent: true });
    closed.controller.abort();
    closed.controller.resume();
    expect(closed.recorder.calls).toEqual(['error']);
  });

  it('reports a failure before the head (connect refused) and after it (the app closes mid-body)', async () => {
    const refused = new Client({ address: await deadAddress(), getValues: false });
    clients.push(refused);
    const before = dispatch(refused);
    await before.recorder.settled;
    expect(before.recorder.calls).toEqual(['error']);
    expect(before.recorder.error).toMatchObject({ code: 'ERR_FCGI_CONNECT_FAILED', unsent: true });

    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'A: b\r\n\r\npartial');
      setTimeout(() => connection.close(), 10);
    });
    const after = dispatch(client);
    await after.recorder.settled;
    expect(after.recorder.calls).toEqual(['head', 'data', 'error']);
    expect(after.recorder.error?.code).toBe('ERR_FCGI_UPSTREAM_CLOSED');
  });

  it('reports OVERLOADED as a typed error, and a head timeout', async () => {
    const { client } = await setup((request, connection) => {
      if (request.params.MODE === 'overloaded') connection.end(request.requestId, 0, 2);
    });
    const overloaded = dispatch(client, { params: { MODE: 'overloaded' } });
    await overloaded.recorder.settled;
    expect(overloaded.recorder.error?.code).toBe('ERR_FCGI_OVERLOADED');
    const slow = dispatch(client, { timeout: 30 });
    await slow.recorder.settled;
    expect(slow.recorder.error?.code).toBe('ERR_FCGI_HEADERS_TIMEOUT');
  });

  it('aborts with controller.abort(reason): ERR_FCGI_ABORTED with the reason as cause, ABORT_REQUEST sent', async () => {
    let seen: FakeRequest | undefined;
    const { client } = await setup((request, connection) => {
      seen = request;
      connection.stdout(request.requestId, 'A: b\r\n\r\nstarted');
    });
    const reason = new Error('user left');
    const recorder = new Recorder();
    const controller = client.dispatch({}, recorder);
    await waitFor(() => recorder.calls.includes('data'));
    controller.abort(reason);
    await recorder.settled;
    expect(recorder.error).toMatchObject({ code: 'ERR_FCGI_ABORTED', cause: reason });
    await waitFor(() => seen?.aborted === true);
    expect(recorder.calls).toEqual(['head', 'data', 'error']);
  });

  it('aborts through an AbortSignal as request() does', async () => {
    const { client } = await setup(() => {});
    const controller = new AbortController();
    const { recorder } = dispatch(client, { signal: controller.signal });
    controller.abort('stop');
    await recorder.settled;
    expect(recorder.error).toMatchObject({ code: 'ERR_FCGI_ABORTED', cause: 'stop' });
  });

  it('pauses the connection while onData returned false, until resume()', async () => {
    const { client } = await setup((request, connection) => {
      connection.stdout(request.requestId, 'A: b\r\n\r\none');
      setTimeout(() => connection.stdout(request.requestId, 'two'), 20);
      setTimeout(() => connection.end(request.requestId), 40);
    });
    const recorder = new Recorder(() => false);
    const controller = client.dispatch({}, recorder);
    await waitFor(() => recorder.chunks.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(recorder.body).toBe('one');
    expect(recorder.calls).not.toContain('end');
    controller.resume();
    await waitFor(() => recorder.chunks.length === 2);
    controller.resume();
    await recorder.settled;
    expect(recorder.body).toBe('onetwo');
    expect(recorder.calls.at(-1)).toBe('end');
  });

  it('aborts the request when a callback throws, the exception as cause', async () => {
    const { client } = await setup((request, connection) => connection.respond(request.requestId, 'A: b', 'body'));
    const thrown = new Error('handler bug');
    const recorder = new Recorder(() => {
      throw thrown;
    });
    client.dispatch({}, recorder);
    await recorder.settled;
    expect(recorder.error).toMatchObject({ code: 'ERR_FCGI_ABORTED', cause: thrown });
    expect(recorder.calls).toEqual(['head', 'data', 'error']);
  });

  it('retries an idempotent request on a fresh connection when a reused one closes before any byte', async () => {
    let served = 0;
    const { app, client } = await setup((request, connection: FakeConnection) => {
      served += 1;
      if (served === 2) connection.close();
      else connection.respond(request.requestId, 'A: b', `answer ${served}`);
    });
    await dispatch(client).recorder.settled;
    const { recorder } = dispatch(client, { params: { REQUEST_METHOD: 'GET' } });
    await recorder.settled;
    expect(recorder.calls).toEqual(['head', 'data', 'end']);
    expect(recorder.body).toBe('answer 3');
    expect(app.connections).toHaveLength(2);
  });
});

describe('BalancedClient.dispatch', () => {
  it('fails over from a refused upstream and reports only the attempt that answered', async () => {
    const app = await startFakeApp((request, connection) => connection.respond(request.requestId, 'A: b', 'up'));
    apps.push(app);
    const balanced = new BalancedClient({ upstreams: [await deadAddress(), app.address], getValues: false });
    clients.push(balanced);
    for (let index = 0; index < 2; index += 1) {
      const { recorder } = dispatch(balanced);
      await recorder.settled;
      expect(recorder.calls).toEqual(['head', 'data', 'end']);
      expect(recorder.body).toBe('up');
    }
    expect(balanced.stats.map((upstream) => upstream.down)).toEqual([true, false]);
  });

  it('reports the last typed error when every upstream refuses, and aborts the attempt running', async () => {
    const balanced = new BalancedClient({ upstreams: [await deadAddress(), await deadAddress()], getValues: false });
    clients.push(balanced);
    const { recorder } = dispatch(balanced);
    await recorder.settled;
    expect(recorder.calls).toEqual(['error']);
    expect(recorder.error?.code).toBe('ERR_FCGI_CONNECT_FAILED');

    let seen: FakeRequest | undefined;
    const app = await startFakeApp((request) => void (seen = request));
    apps.push(app);
    const waiting = new BalancedClient({ upstreams: [app.address], getValues: false });
    clients.push(waiting);
    const running = dispatch(waiting);
    await waitFor(() => seen !== undefined);
    running.controller.abort();
    await running.recorder.settled;
    expect(running.recorder.error?.code).toBe('ERR_FCGI_ABORTED');
    expect(running.recorder.calls).toEqual(['error']);
  });
});

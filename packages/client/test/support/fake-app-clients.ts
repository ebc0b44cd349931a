/**
 * The usual frame of a client test: a fake app and a `Client` pointed at it, both closed
 * after each test, with the lists open for the other apps and clients a test makes.
 */
import { afterEach } from 'vitest';
import { Client, type ClientOptions } from '../../src/index.js';
import { type FakeApp, type FakeAppOptions, type FakeHandler, startFakeApp } from './fake-app.js';

/** What {@link useFakeAppClients} gives a test file. */
export interface FakeAppClients {
  /** Apps closed after each test. */
  readonly apps: FakeApp[];
  /** Clients (or balanced clients) destroyed after each test. */
  readonly clients: { destroy(): Promise<void> }[];
  /** Starts a fake app answering with `handler` and a client for it (no GET_VALUES unless asked). */
  setup(handler: FakeHandler, options?: Partial<ClientOptions>, appOptions?: FakeAppOptions): Promise<{ app: FakeApp; client: Client }>;
}

/**
 * Registers the after-each cleanup and returns the lists and `setup`; call once at the top
 * of a test file.
 *
 * @example
 * ```ts
 * const { setup } = useFakeAppClients();
 * const { client } = await setup((request, connection) => connection.respond(request.requestId, 'Status: 200', 'ok'));
 * ```
 */
export function useFakeAppClients(): FakeAppClients {
  const apps: FakeApp[] = [];
  const clients: { destroy(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.destroy()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  return {
    apps,
    clients,
    async setup(handler, options = {}, appOptions = {}) {
      const app = await startFakeApp(handler, appOptions);
      apps.push(app);
      const client = new Client({ address: app.address, getValues: false, ...options });
      clients.push(client);
      return { app, client };
    },
  };
}

/**
 * A FastCGI app that behaves like php-fpm's process manager: `workers` workers, each
 * serving one connection until that connection closes; further connections wait in a
 * backlog, unread, until a worker frees up.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { FakeApp, type FakeHandler } from './fake-app.js';

export class FakeFpm {
  readonly app: FakeApp;
  readonly backlog: Socket[] = [];
  busyWorkers = 0;
  /** Connections the listener received (each one the client opened). */
  connectionsOpened = 0;
  server: Server | undefined;

  constructor(readonly workers: number, handler: FakeHandler) {
    this.app = new FakeApp(handler);
  }

  get address(): string {
    return `127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async listen(): Promise<this> {
    this.server = createServer((socket) => {
      this.connectionsOpened += 1;
      socket.pause();
      socket.setNoDelay(true);
      socket.on('error', () => {});
      this.backlog.push(socket);
      this.#acceptNext();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  #acceptNext(): void {
    while (this.busyWorkers < this.workers && this.backlog.length > 0) {
      const socket = this.backlog.shift() as Socket;
      if (socket.destroyed) continue;
      this.busyWorkers += 1;
      socket.once('close', () => {
        this.busyWorkers -= 1;
        this.#acceptNext();
      });
      this.app.attach(socket);
      socket.resume();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.backlog) socket.destroy();
    await this.app.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

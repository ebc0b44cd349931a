/** Minimal typing of npm node-fastcgi 2.0.0 (the baseline FastCGI server): only what the benchmark uses. */
declare module 'node-fastcgi' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Server } from 'node:net';
  /** Creates a FastCGI server that calls `listener` like node:http does. */
  export function createServer(listener: (request: IncomingMessage, response: ServerResponse) => void): Server;
}

/**
 * `fcgi serve MODULE`: serve a node:http listener, fetch handler, Express app or Fastify
 * instance over FastCGI, as php-fpm's process manager does for PHP.
 *
 * @module
 */
import cluster from 'node:cluster';
import type { Command, CommandContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { moduleUrl } from '../serve/load-app.js';
import { serveSingle } from '../serve/single.js';
import { servePrimary } from '../serve/primary.js';
import { SERVE_DEFAULTS, serveConfig } from '../serve/serve-config.js';
import { serveWorker } from '../serve/worker.js';

async function runServe({ positionals, values, io }: CommandContext): Promise<number> {
  if (cluster.isWorker) return serveWorker(() => serveConfig(positionals[0] ?? '', values), io);
  const config = serveConfig(positionals[0] ?? '', values);
  if (config.workers === 0) return serveSingle(config, io);
  moduleUrl(config.module, io.cwd);
  return servePrimary(config, io);
}

/**
 * The `serve` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * await main(['serve', './app.js', '--listen', '127.0.0.1:9000']); // until SIGTERM
 * ```
 */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve a Node app over FastCGI: node:http, fetch, Express or Fastify',
  usage: 'fcgi serve MODULE [--listen ADDRESS | --fd 0] [--workers N] [--max-requests N] [--grace MS] [--idle-timeout MS]',
  description: [
    "Imports MODULE (a file relative to the current directory, or a package name) and serves",
    'its default export over FastCGI: a node:http listener (a function of two parameters),',
    'a fetch handler (a function of one parameter, or an object with a fetch method, as Hono',
    "exports), an Express app or a Fastify instance (recognised by shape: your own copy is",
    "used; Fastify is driven through its ready() and routing). Prints one line once listening.",
    '',
    'ADDRESS is host:port, tcp://host:port, [::1]:port, unix:/path, or a path containing /.',
    'With --fd 0, or with no --listen when fd 0 is a listening socket, it serves the socket',
    'a web server passes on fd 0 (spawn-fcgi, mod_fcgid, IIS).',
    '',
    'On SIGTERM or SIGINT it stops accepting, closes idle kept connections at once, lets',
    `in-flight requests finish within --grace (default ${SERVE_DEFAULTS.grace} ms), then exits 0 (1 when`,
    `requests had to be aborted). A kept connection idle for --idle-timeout (default`,
    `${SERVE_DEFAULTS.idleTimeout} ms) is closed.`,
    '',
    'With --workers N it runs N worker processes (node:cluster) sharing the listening',
    'socket: a crashed worker is restarted (at once, then with a growing delay up to 10 s',
    'while crashes repeat within 30 s); with --max-requests N a worker that has served N',
    'requests is replaced, the replacement started first; SIGHUP reloads every worker',
    '(new ones start, then the old ones drain within the grace period).',
  ].join('\n'),
  options: [
    { name: 'listen', short: 'l', type: 'string', placeholder: 'ADDRESS', description: 'listen on ADDRESS (default: the listening socket on fd 0)' },
    { name: 'fd', type: 'string', placeholder: '0', description: 'serve the listening socket on file descriptor 0' },
    { name: 'workers', short: 'w', type: 'string', placeholder: 'N', description: 'run N worker processes sharing the socket (default: serve in this process)' },
    { name: 'max-requests', type: 'string', placeholder: 'N', description: 'replace a worker after it has served N requests (default: never; needs --workers)' },
    { name: 'grace', type: 'string', placeholder: 'MS', description: `on SIGTERM/SIGINT/SIGHUP, let in-flight requests run MS ms (default ${SERVE_DEFAULTS.grace})` },
    { name: 'idle-timeout', type: 'string', placeholder: 'MS', description: `close a kept connection idle for MS ms (default ${SERVE_DEFAULTS.idleTimeout}; 0: never)` },
  ],
  positionals: { min: 1, max: 1, missing: 'MODULE' },
  examples: [
    'fcgi serve ./app.js --listen 127.0.0.1:9000',
    'fcgi serve ./server.mjs --listen unix:/run/app/fcgi.sock --workers 4 --max-requests 10000',
    'spawn-fcgi -p 9000 -- /usr/bin/env fcgi serve /srv/app/app.js   # fd 0',
    'kill -HUP PRIMARY_PID   # reload the workers with no failed request',
  ],
  exitCodes: [
    [ExitCode.Ok, 'stopped by SIGTERM/SIGINT after every in-flight request finished'],
    [ExitCode.Failure, 'requests were aborted after the grace period, or MODULE failed to load or listen'],
    [ExitCode.Usage, 'usage error, MODULE not found, or its default export cannot be served'],
  ],
  run: runServe,
};

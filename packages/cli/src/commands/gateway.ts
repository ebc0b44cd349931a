/**
 * `fcgi gateway`: an HTTP server in front of FastCGI apps (the embedded default when no
 * nginx is around).
 *
 * @module
 */
import { type Server, createServer } from 'node:http';
import { formatAddress, parseAddress } from '../address.js';
import type { Command, CommandContext } from '../command.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { createFront } from '../gateway/front.js';
import { type CliIo, writeOutput } from '../io.js';
import { nextStopSignal } from '../serve/single.js';

const defaults = { index: 'index.php', scripts: '\\.php$', grace: 10_000 } as const;

function readScripts(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (error) {
    throw usageError(`--scripts must be a regular expression, got '${text}': ${(error as Error).message}`);
  }
}

function listen(server: Server, address: string): Promise<string> {
  const target = parseAddress(address);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(usageErrorFor(address, error)));
    const done = (): void => {
      const bound = server.address();
      resolve(typeof bound === 'object' && bound !== null ? `http://${formatAddress({ kind: 'tcp', host: bound.address, port: bound.port })}` : `http+unix:${address}`);
    };
    if (target.kind === 'tcp') server.listen(target.port, target.host, done);
    else server.listen(target.path, done);
  });
}

function usageErrorFor(listen: string, error: NodeJS.ErrnoException): Error {
  return error.code === 'EADDRINUSE' ? usageError(`cannot listen on ${listen}: the address is in use`) : usageError(`cannot listen on ${listen}: ${error.message}`);
}

function closeWithin(server: Server, grace: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (server.closeAllConnections(), resolve(false)), grace);
    server.close(() => (clearTimeout(timer), resolve(true)));
    server.closeIdleConnections();
  });
}

async function runGateway({ values, io }: CommandContext): Promise<number> {
  const upstreamTexts = Array.isArray(values.upstream) ? (values.upstream) : [];
  if (typeof values.listen !== 'string') throw usageError('missing --listen ADDRESS');
  if (upstreamTexts.length === 0) throw usageError('missing --upstream ADDRESS');
  const upstreams = upstreamTexts.map((text) => formatAddress(parseAddress(text)));
  const grace = typeof values.grace === 'string' ? Number(values.grace) : defaults.grace;
  if (!Number.isSafeInteger(grace) || grace < 0) throw usageError(`--grace must be a whole number of milliseconds, got '${String(values.grace)}'`);
  const settings = {
    upstreams,
    root: typeof values.root === 'string' ? values.root : undefined,
    index: typeof values.index === 'string' ? values.index : defaults.index,
    scripts: readScripts(typeof values.scripts === 'string' ? values.scripts : defaults.scripts),
  };
  return serveFront(settings, values.listen, grace, io);
}

async function serveFront(settings: Parameters<typeof createFront>[0], listenText: string, grace: number, io: CliIo): Promise<number> {
  const front = createFront(settings, (line) => void writeOutput(io.stdout, `${line}\n`), (line) => void writeOutput(io.stderr, `fcgi gateway: ${line}\n`));
  const server = createServer(front.handle);
  let url: string;
  try {
    url = await listen(server, listenText);
  } catch (error) {
    await front.gateway.close();
    throw error;
  }
  const stopped = nextStopSignal();
  const staticPart = settings.root === undefined ? '' : `, static files and ${String(settings.scripts)} scripts from ${settings.root}`;
  await writeOutput(io.stdout, `fcgi gateway: listening on ${url} -> ${settings.upstreams.join(', ')}${staticPart} (pid ${process.pid})\n`);
  const signal = await stopped;
  await writeOutput(io.stdout, `fcgi gateway: ${signal}: closing (grace ${grace} ms)\n`);
  const clean = await closeWithin(server, grace);
  await front.gateway.close();
  return clean ? ExitCode.Ok : ExitCode.Failure;
}

/**
 * The `gateway` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * await main(['gateway', '--listen', '127.0.0.1:8080', '--upstream', '127.0.0.1:9000', '--root', '/srv/www']); // until SIGTERM
 * ```
 */
export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'an HTTP server in front of FastCGI apps such as php-fpm, with static files',
  usage: 'fcgi gateway --listen ADDRESS --upstream ADDRESS [--upstream ...] [--root DIR] [--index index.php] [--scripts REGEX]',
  description: [
    'Listens for HTTP on ADDRESS (host:port, or a Unix socket path) and forwards requests to',
    'the FastCGI apps given by --upstream, mapping them to CGI/1.1 params as nginx does',
    '(createGateway of @fcgi/client). Several --upstream are balanced, with failover.',
    '',
    'Without --root every request goes upstream (a FastCGI app such as fcgi serve). With',
    '--root DIR, paths matching --scripts (and /dir/ with the --index appended) go upstream',
    'with DOCUMENT_ROOT and SCRIPT_FILENAME set; other existing files under DIR are served',
    'statically (streamed, with a content type); the rest get 404.',
    '',
    'Bodies stream both ways with no size cap. One access log line per request goes to',
    "stdout; the app's STDERR lines and upstream errors go to stderr. SIGTERM or SIGINT",
    `closes it: idle connections at once, requests in flight within --grace (default ${defaults.grace} ms).`,
  ].join('\n'),
  options: [
    { name: 'listen', short: 'l', type: 'string', placeholder: 'ADDRESS', description: 'the HTTP address to listen on (host:port or a Unix socket path)' },
    { name: 'upstream', short: 'u', type: 'string', multiple: true, placeholder: 'ADDRESS', description: 'a FastCGI app to forward to' },
    { name: 'root', type: 'string', placeholder: 'DIR', description: 'document root: scripts go upstream, other files are served statically' },
    { name: 'index', type: 'string', placeholder: 'FILE', description: `appended to paths ending in / (default ${defaults.index})` },
    { name: 'scripts', type: 'string', placeholder: 'REGEX', description: `with --root: the paths that go upstream (default '${defaults.scripts}')` },
    { name: 'grace', type: 'string', placeholder: 'MS', description: `on SIGTERM/SIGINT, let requests in flight run MS ms (default ${defaults.grace})` },
  ],
  positionals: { min: 0, max: 0 },
  examples: [
    'fcgi gateway --listen 127.0.0.1:8080 --upstream 127.0.0.1:9000   # in front of fcgi serve',
    'fcgi gateway --listen 127.0.0.1:8080 --upstream unix:/run/php/php8.2-fpm.sock --root /var/www/html',
    'fcgi gateway --listen 127.0.0.1:8080 --upstream 10.0.0.1:9000 --upstream 10.0.0.2:9000 --root /srv/www',
  ],
  exitCodes: [
    [ExitCode.Ok, 'closed by SIGTERM/SIGINT'],
    [ExitCode.Failure, 'requests were cut after the grace period'],
    [ExitCode.Usage, 'usage error, or the address cannot be listened on'],
  ],
  run: runGateway,
};

/**
 * `fcgi ping ADDRESS`: a health check for php-fpm (its `ping.path`) or any FastCGI app.
 *
 * @module
 */
import { FastCgiError } from '@fcgi/codec';
import type { Command, CommandContext } from '../command.js';
import { withClient } from '../client-session.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeOutput } from '../io.js';
import { buildRequestParams, parseTimeout } from '../request-params.js';
import { cliVersion } from '../version.js';

/** The default of `--timeout`, in ms. */
const defaultTimeout = 5000;
/** Bytes of the answer kept to look for `--expect`. */
const maxBodyBytes = 64 * 1024;

async function readBody(body: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size >= maxBodyBytes) continue;
    const bytes = Buffer.from(chunk as Uint8Array);
    chunks.push(bytes);
    size += bytes.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFailure(error: unknown): string {
  if (FastCgiError.is(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Pings; resolves to the reason of failure, or undefined when healthy. */
async function check(address: string, path: string, expect: string | undefined, timeout: number): Promise<{ failure: string | undefined; status: string }> {
  const params = buildRequestParams({ method: 'GET', target: path, headers: [], params: [], root: undefined, bodyLength: undefined, serverSoftware: `fcgi/${cliVersion()}` });
  params.push(['SCRIPT_FILENAME', params.find(([name]) => name === 'SCRIPT_NAME')?.[1] ?? path]);
  return withClient(address, timeout, async (client) => {
    const response = await client.request({ params });
    const [body] = await Promise.all([readBody(response.body), readBody(response.stderr), response.done]);
    const status = `${response.status} ${response.statusText}`;
    if (response.status < 200 || response.status > 299) return { failure: `${address} answered ${status}`, status };
    if (expect !== undefined && !body.includes(expect)) return { failure: `${address} answered ${status} without '${expect}' in the body`, status };
    return { failure: undefined, status };
  });
}

async function runPing({ positionals, values, io }: CommandContext): Promise<number> {
  const [address = ''] = positionals;
  const path = typeof values.path === 'string' ? values.path : '/ping';
  if (!path.startsWith('/')) throw usageError(`--path must start with '/', got '${path}'`);
  const expect = typeof values.expect === 'string' ? values.expect : undefined;
  const timeout = typeof values.timeout === 'string' ? parseTimeout(values.timeout, '--timeout') : defaultTimeout;
  const started = performance.now();
  let outcome: { failure: string | undefined; status: string };
  try {
    outcome = await check(address, path, expect, timeout);
  } catch (error) {
    if (FastCgiError.is(error) && (error.code === 'ERR_FCGI_CLI_USAGE' || error.code === 'ERR_FCGI_INVALID_ADDRESS')) throw error;
    outcome = { failure: `${address}: ${describeFailure(error)}`, status: '' };
  }
  if (outcome.failure !== undefined) {
    await writeOutput(io.stderr, `fcgi ping: ${outcome.failure}\n`);
    return ExitCode.Failure;
  }
  await writeOutput(io.stdout, `fcgi ping: ok, ${address} answered ${outcome.status} in ${Math.round(performance.now() - started)} ms\n`);
  return ExitCode.Ok;
}

/**
 * The `ping` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * const healthy = (await main(['ping', '127.0.0.1:9000', '--expect', 'pong'])) === 0;
 * ```
 */
export const pingCommand: Command = {
  name: 'ping',
  summary: 'health check: exit 0 when the app answers 2xx',
  usage: 'fcgi ping ADDRESS [--path /ping] [--expect TEXT] [--timeout MS]',
  description: [
    'Sends GET PATH (SCRIPT_NAME, SCRIPT_FILENAME and REQUEST_URI all set to PATH) to the',
    'FastCGI app at ADDRESS, and exits 0 when it answers a 2xx status (and, with --expect,',
    'a body containing TEXT); otherwise exits 1. Either way it prints one line of reason:',
    'on stdout when healthy, on stderr when not.',
    '',
    "For php-fpm, set 'ping.path = /ping' in the pool (it answers 'pong') and use",
    "'fcgi ping ADDRESS --expect pong' as the container or systemd health check; it",
    'replaces the usual cgi-fcgi shell scripts.',
  ].join('\n'),
  options: [
    { name: 'path', type: 'string', placeholder: 'PATH', description: 'the path to ask for (default /ping)' },
    { name: 'expect', type: 'string', placeholder: 'TEXT', description: 'also require TEXT in the body (php-fpm answers pong)' },
    { name: 'timeout', type: 'string', placeholder: 'MS', description: `fail when there is no full answer within MS milliseconds (default ${defaultTimeout})` },
  ],
  positionals: { min: 1, max: 1, missing: 'ADDRESS' },
  examples: [
    'fcgi ping 127.0.0.1:9000 --expect pong',
    'fcgi ping unix:/run/php/php8.2-fpm.sock --path /fpm-ping --timeout 2000',
    'HEALTHCHECK CMD fcgi ping 127.0.0.1:9000 --expect pong   # Dockerfile',
  ],
  exitCodes: [
    [ExitCode.Ok, 'healthy: a 2xx answer (containing TEXT with --expect)'],
    [ExitCode.Failure, 'unhealthy: no connection, a timeout, a protocol error, another status, or no TEXT'],
    [ExitCode.Usage, 'usage error'],
  ],
  run: runPing,
};

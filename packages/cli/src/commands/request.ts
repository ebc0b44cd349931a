/**
 * `fcgi request ADDRESS [PATH[?QUERY]]`: one request to a FastCGI app, curl-style.
 *
 * @module
 */
import type { ClientResponse, RoleInput } from '@fcgi/client';
import type { Command, CommandContext } from '../command.js';
import { type LocalInput, openLocalInput, withClient } from '../client-session.js';
import { type ColourStyle, type Paint, colourFor } from '../colour.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliOutput, writeOutput } from '../io.js';
import { buildRequestParams, checkMethod, parseTimeout } from '../request-params.js';
import { cliVersion } from '../version.js';

const roles: readonly RoleInput[] = ['responder', 'authorizer', 'filter'];

interface RequestPlan {
  readonly address: string;
  readonly role: RoleInput;
  readonly params: [string, string][];
  readonly body: LocalInput | undefined;
  readonly data: LocalInput | undefined;
  readonly include: boolean;
  readonly fail: boolean;
  readonly timeout: number | undefined;
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function listValue(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

function readRole(value: string | undefined): RoleInput {
  if (value === undefined) return 'responder';
  if (!roles.includes(value as RoleInput)) throw usageError(`--role must be responder, authorizer or filter, got '${value}'`);
  return value as RoleInput;
}

async function plan({ positionals, values, io }: CommandContext): Promise<RequestPlan> {
  const [address = '', target = '/'] = positionals;
  if (!target.startsWith('/')) throw usageError(`PATH must start with '/', got '${target}'`);
  const role = readRole(stringValue(values.role));
  const bodySource = stringValue(values.body);
  const dataSource = stringValue(values.data);
  if (dataSource !== undefined && role !== 'filter') throw usageError('--data needs --role filter');
  if (bodySource !== undefined && role === 'authorizer') throw usageError('an authorizer request has no body: drop --body');
  if (bodySource === '-' && dataSource === '-') throw usageError('--body and --data cannot both read standard input');
  const timeoutText = stringValue(values.timeout);
  const timeout = timeoutText === undefined ? undefined : parseTimeout(timeoutText, '--timeout');
  const method = checkMethod(stringValue(values.method) ?? (bodySource === undefined ? 'GET' : 'POST'));
  const body = bodySource === undefined ? undefined : await openLocalInput(bodySource, io);
  const data = dataSource === undefined ? undefined : await openLocalInput(dataSource, io);
  const params = buildRequestParams({
    method, target, headers: listValue(values.header), params: listValue(values.param), root: stringValue(values.root),
    bodyLength: body?.length, serverSoftware: `fcgi/${cliVersion()}`,
  });
  if (data !== undefined) params.push(['FCGI_DATA_LENGTH', String(data.length)]);
  return { address, role, params, body, data, include: values.include === true, fail: values.fail === true, timeout };
}

/** The colour of a status line: green for 2xx, cyan for 3xx, yellow for 4xx, red otherwise. */
function statusStyle(status: number): ColourStyle {
  if (status >= 200 && status < 300) return 'green';
  if (status >= 300 && status < 400) return 'cyan';
  return status >= 400 && status < 500 ? 'yellow' : 'red';
}

function responseHead(response: ClientResponse, paint: Paint): string {
  const statusLine = paint(`HTTP/1.1 ${response.status} ${response.statusText}`, statusStyle(response.status), 'bold');
  const lines = [statusLine, ...response.rawHeaders.map(([name, value]) => `${paint(name, 'bold')}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

async function copyStream(source: AsyncIterable<unknown>, output: CliOutput | undefined): Promise<void> {
  for await (const chunk of source) {
    if (output !== undefined) await writeOutput(output, chunk as Uint8Array);
  }
}

async function runRequest(context: CommandContext): Promise<number> {
  const request = await plan(context);
  const { io } = context;
  return withClient(request.address, request.timeout, async (client) => {
    const response = await client.request({
      params: request.params,
      role: request.role,
      ...(request.body === undefined ? {} : { body: request.body.body }),
      ...(request.data === undefined ? {} : { data: request.data.body, dataLastModified: request.data.modified ?? 0 }),
    });
    const failed = request.fail && response.status >= 400;
    if (request.include && !failed) await writeOutput(io.stdout, responseHead(response, colourFor(io.stdout, io)));
    await Promise.all([copyStream(response.body, failed ? undefined : io.stdout), copyStream(response.stderr, io.stderr), response.done]);
    if (!failed) return ExitCode.Ok;
    const paint = colourFor(io.stderr, io);
    await writeOutput(io.stderr, `${paint('fcgi request:', 'red', 'bold')} the app answered ${response.status} ${response.statusText}\n`);
    return ExitCode.HttpError;
  });
}

/**
 * The `request` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * await main(['request', 'unix:/run/php/php-fpm.sock', '/index.php?page=2', '--root', '/srv/www']);
 * ```
 */
export const requestCommand: Command = {
  name: 'request',
  summary: 'send one request to a FastCGI app and print the response body',
  usage: 'fcgi request ADDRESS [PATH[?QUERY]] [OPTIONS]',
  description: [
    'Sends one request to the FastCGI app at ADDRESS (php-fpm, an @fcgi/server app, any',
    'FastCGI app), as cgi-fcgi or curl would for HTTP. The response body goes to stdout',
    "(binary-safe) and the app's STDERR to stderr.",
    '',
    'ADDRESS is host:port, tcp://host:port, [::1]:port, unix:/path, or a path containing /.',
    "PATH defaults to '/'; its ?QUERY becomes QUERY_STRING, and a '.php' segment splits it",
    'into SCRIPT_NAME and PATH_INFO (/index.php/users gives /index.php and /users).',
    '',
    'The params sent are those of a web server: GATEWAY_INTERFACE, SERVER_SOFTWARE,',
    'SERVER_PROTOCOL, SERVER_NAME (from a Host header, else localhost), SERVER_ADDR,',
    'SERVER_PORT (80), REMOTE_ADDR (127.0.0.1), REQUEST_SCHEME, REQUEST_METHOD,',
    'REQUEST_URI, DOCUMENT_URI, SCRIPT_NAME, QUERY_STRING, PATH_INFO, then DOCUMENT_ROOT and',
    'SCRIPT_FILENAME with --root (php-fpm needs SCRIPT_FILENAME: give --root, or',
    '--param SCRIPT_FILENAME=...), CONTENT_LENGTH with --body, one HTTP_* per --header,',
    'and last the --param values, which replace any of the above.',
  ].join('\n'),
  options: [
    { name: 'method', short: 'X', type: 'string', placeholder: 'METHOD', description: 'REQUEST_METHOD (default GET, or POST with --body)' },
    { name: 'param', short: 'p', type: 'string', multiple: true, placeholder: 'NAME=VALUE', description: 'set a FastCGI param, replacing a computed one' },
    { name: 'header', short: 'H', type: 'string', multiple: true, placeholder: "'NAME: VALUE'", description: 'a request header, sent as HTTP_NAME (CONTENT_TYPE for Content-Type)' },
    { name: 'body', short: 'd', type: 'string', placeholder: 'FILE|-', description: "send FILE (or standard input for '-') as the body; sets CONTENT_LENGTH" },
    { name: 'role', type: 'string', placeholder: 'ROLE', description: 'responder (default), authorizer or filter' },
    { name: 'data', type: 'string', placeholder: 'FILE', description: 'the filter role\'s data file (sets FCGI_DATA_LENGTH)' },
    { name: 'root', type: 'string', placeholder: 'DIR', description: 'DOCUMENT_ROOT; SCRIPT_FILENAME = DIR + the script part of PATH' },
    { name: 'include', short: 'i', type: 'boolean', description: "print 'HTTP/1.1 STATUS TEXT', the headers and a blank line before the body" },
    { name: 'fail', short: 'f', type: 'boolean', description: 'on a status >= 400, print no body and exit 22' },
    { name: 'timeout', type: 'string', placeholder: 'MS', description: 'give up when the request takes more than MS milliseconds in all (exit 28)' },
  ],
  positionals: { min: 1, max: 2, missing: 'ADDRESS' },
  examples: [
    'fcgi request unix:/run/php/php8.2-fpm.sock /index.php --root /var/www/html',
    'fcgi request 127.0.0.1:9000 \'/api/users?page=2\' -i -H \'Accept: application/json\'',
    'fcgi request 127.0.0.1:9000 /upload.php --root /srv/www --body photo.jpg -H \'Content-Type: image/jpeg\'',
    'echo \'{"a":1}\' | fcgi request 127.0.0.1:9000 /api --body - -H \'Content-Type: application/json\' --fail',
    'fcgi request 127.0.0.1:9000 /private --role authorizer -i',
  ],
  exitCodes: [
    [ExitCode.Ok, 'the app answered (whatever the status, unless --fail)'],
    [ExitCode.Usage, 'usage error'],
    [ExitCode.CouldNotConnect, 'could not connect to ADDRESS'],
    [ExitCode.ProtocolError, 'FastCGI protocol error, or the app refused the request (OVERLOADED, UNKNOWN_ROLE...)'],
    [ExitCode.HttpError, 'with --fail: the status was 400 or more'],
    [ExitCode.ReadError, 'the --body or --data file could not be read'],
    [ExitCode.Timeout, '--timeout expired'],
  ],
  run: runRequest,
};

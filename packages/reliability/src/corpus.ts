/**
 * Seed traffic for the byte-level mutator: the bytes nginx sends php-fpm and php-fpm sends
 * back, written with the codec exactly as those peers lay them out (request id 1, the
 * nginx `fastcgi_params` set in one PARAMS record, STDIN in records, php-fpm's STDOUT and
 * STDERR mixed and END_REQUEST without an empty STDOUT), plus name-value blocks and CGI
 * heads; plus the real captures in `fixtures/` (see `src/capture.ts`), whole and cut into
 * their PARAMS blocks and CGI heads. Deterministic: the same corpus on every run.
 *
 * @module
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RecordDecoder, RecordType, Role, concatBytes, encodeParams, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';

const encoder = new TextEncoder();

/** One seed of the corpus: what it is and its bytes. */
export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The seeds, by the parser they feed. */
export interface Corpus {
  readonly records: readonly Seed[];
  readonly params: readonly Seed[];
  readonly heads: readonly Seed[];
}

/** The params nginx's `fastcgi_params` produce for one request. */
function nginxParams(uri: string, method: string, bodyLength: number): Record<string, string> {
  const path = uri.split('?')[0] ?? '/';
  return {
    QUERY_STRING: uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '',
    REQUEST_METHOD: method,
    CONTENT_TYPE: bodyLength > 0 ? 'application/x-www-form-urlencoded' : '',
    CONTENT_LENGTH: bodyLength > 0 ? String(bodyLength) : '',
    SCRIPT_NAME: path,
    REQUEST_URI: uri,
    DOCUMENT_URI: path,
    DOCUMENT_ROOT: '/srv/www',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'nginx/1.24.0',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '51234',
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: '8080',
    SERVER_NAME: 'localhost',
    REDIRECT_STATUS: '200',
    SCRIPT_FILENAME: `/srv/www${path}`,
    HTTP_HOST: 'localhost:8080',
    HTTP_USER_AGENT: 'curl/8.5.0',
    HTTP_ACCEPT: '*/*',
  };
}

/** The bytes nginx writes to php-fpm for one request. */
export function nginxRequest(uri: string, method = 'GET', body: Uint8Array = new Uint8Array(0), requestId = 1): Uint8Array {
  return concatBytes([
    encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: false }),
    ...encodeParamsStream(requestId, nginxParams(uri, method, body.length), { end: true }),
    ...encodeStream(RecordType.Stdin, requestId, body, { end: true }),
  ]);
}

/** The bytes php-fpm writes back: STDERR mixed in, END_REQUEST without an empty STDOUT. */
export function phpFpmResponse(head: string, body: string, stderr = '', requestId = 1): Uint8Array {
  const pieces: Uint8Array[] = [];
  if (stderr !== '') pieces.push(encodeRecord({ type: RecordType.Stderr, requestId, content: encoder.encode(stderr) }));
  pieces.push(...encodeStream(RecordType.Stdout, requestId, encoder.encode(`${head}\r\n\r\n${body}`)));
  pieces.push(encodeRecord({ type: RecordType.EndRequest, requestId, appStatus: 0, protocolStatus: 0 }));
  return concatBytes(pieces);
}

const phpHead = 'X-Powered-By: PHP/8.2.7\r\nContent-type: text/html; charset=UTF-8';

function recordSeeds(): Seed[] {
  return [
    { name: 'nginx GET', bytes: nginxRequest('/index.php?x=1') },
    { name: 'nginx POST', bytes: nginxRequest('/form.php', 'POST', encoder.encode('a=1&b=2&c=' + 'x'.repeat(300))) },
    { name: 'nginx keep-conn request id 2', bytes: nginxRequest('/a.php/extra', 'GET', new Uint8Array(0), 2) },
    { name: 'php-fpm 200', bytes: phpFpmResponse(phpHead, '<h1>hello</h1>') },
    { name: 'php-fpm 404 with stderr', bytes: phpFpmResponse('Status: 404 Not Found\r\nContent-type: text/html; charset=UTF-8', 'File not found.\n', 'Primary script unknown') },
    { name: 'php-fpm redirect', bytes: phpFpmResponse('Location: /login\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2', '') },
    { name: 'GET_VALUES', bytes: encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs: [['FCGI_MAX_CONNS', ''], ['FCGI_MAX_REQS', ''], ['FCGI_MPXS_CONNS', '']] }) },
    { name: 'GET_VALUES_RESULT', bytes: encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs: [['FCGI_MPXS_CONNS', '0']] }) },
    { name: 'ABORT + UNKNOWN_TYPE', bytes: concatBytes([encodeRecord({ type: RecordType.AbortRequest, requestId: 1 }), encodeRecord({ type: RecordType.UnknownType, requestId: 0, unknownType: 42 })]) },
    { name: 'max record, max padding', bytes: encodeRecord({ type: RecordType.Stdout, requestId: 1, content: new Uint8Array(65535).fill(0x61) }, { paddingLength: 255 }) },
  ];
}

function paramsSeeds(): Seed[] {
  return [
    { name: 'nginx params', bytes: encodeParams(nginxParams('/index.php?x=1', 'GET', 0)) },
    { name: 'long value (4-byte lengths)', bytes: encodeParams({ HTTP_COOKIE: 'c'.repeat(600), [`N${'n'.repeat(200)}`]: 'v' }) },
    { name: 'empty names and values', bytes: encodeParams([['', ''], ['A', ''], ['', 'B']]) },
    { name: 'GET_VALUES names', bytes: encodeParams([['FCGI_MAX_CONNS', ''], ['FCGI_MAX_REQS', ''], ['FCGI_MPXS_CONNS', '']]) },
  ];
}

function headSeeds(): Seed[] {
  return [
    { name: 'php head', bytes: encoder.encode(`${phpHead}\r\n\r\n<html>`) },
    { name: 'status head', bytes: encoder.encode('Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope') },
    { name: 'LF-only head, folded line, cookies', bytes: encoder.encode('Location: /x\nX-Folded: a\n  b\nSet-Cookie: a=1\nSet-Cookie: b=2\n\nbody') },
    { name: 'bare blank line', bytes: encoder.encode('\r\n\r\nbody') },
  ];
}

const fixtureDirectory = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * The captured nginx <-> php-fpm connections in `fixtures/`, one seed per direction.
 *
 * @example
 * ```ts
 * capturedSeeds().map((seed) => seed.name); // ['captured nginx-get.to-app.bin', ...]
 * ```
 */
export function capturedSeeds(): Seed[] {
  if (!existsSync(fixtureDirectory)) return [];
  return readdirSync(fixtureDirectory)
    .filter((name) => name.endsWith('.bin'))
    .sort()
    .map((name) => ({ name: `captured ${name}`, bytes: new Uint8Array(readFileSync(`${fixtureDirectory}${name}`)) }));
}

/** The content of every record of `type` in a captured stream, joined. */
function streamOf(bytes: Uint8Array, type: number): Uint8Array {
  const pieces = new RecordDecoder().push(bytes).filter((record) => record.type === type).map((record) => ('content' in record ? record.content : new Uint8Array(0)));
  return concatBytes(pieces);
}

/**
 * Builds the corpus.
 *
 * @example
 * ```ts
 * const corpus = buildCorpus();
 * corpus.records.length; // 10 generated + the captured ones
 * ```
 */
export function buildCorpus(): Corpus {
  const captured = capturedSeeds();
  const params = captured.filter((seed) => seed.name.includes('.to-app')).map((seed) => ({ name: `${seed.name} PARAMS`, bytes: streamOf(seed.bytes, RecordType.Params) }));
  const heads = captured.filter((seed) => seed.name.includes('.to-web')).map((seed) => ({ name: `${seed.name} STDOUT`, bytes: streamOf(seed.bytes, RecordType.Stdout) }));
  return { records: [...recordSeeds(), ...captured], params: [...paramsSeeds(), ...params], heads: [...headSeeds(), ...heads] };
}

// @ts-check
/**
 * The inputs of the codec benchmark, built once and shared by every library under test so
 * that each decodes or encodes exactly the same bytes.
 *
 * @module
 */
import { RecordType, Role, concatBytes, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';

/**
 * A typical nginx request's CGI params: the names of Debian's /etc/nginx/fastcgi_params (in
 * its order), SCRIPT_FILENAME and PATH_INFO as the usual PHP location adds them, then the
 * HTTP_* headers of a desktop browser in the order nginx forwards them. Values are realistic
 * for a GET of a PHP page with a query string and a session cookie. 32 pairs.
 *
 * @type {ReadonlyArray<readonly [string, string]>}
 */
export const nginxParams = [
  ['QUERY_STRING', 'page=2&sort=desc&q=fastcgi+benchmark'],
  ['REQUEST_METHOD', 'GET'],
  ['CONTENT_TYPE', ''],
  ['CONTENT_LENGTH', ''],
  ['SCRIPT_NAME', '/index.php'],
  ['REQUEST_URI', '/blog/posts?page=2&sort=desc&q=fastcgi+benchmark'],
  ['DOCUMENT_URI', '/index.php'],
  ['DOCUMENT_ROOT', '/var/www/example.com/public'],
  ['SERVER_PROTOCOL', 'HTTP/1.1'],
  ['REQUEST_SCHEME', 'https'],
  ['HTTPS', 'on'],
  ['GATEWAY_INTERFACE', 'CGI/1.1'],
  ['SERVER_SOFTWARE', 'nginx/1.22.1'],
  ['REMOTE_ADDR', '203.0.113.42'],
  ['REMOTE_PORT', '51724'],
  ['REMOTE_USER', ''],
  ['SERVER_ADDR', '10.0.0.5'],
  ['SERVER_PORT', '443'],
  ['SERVER_NAME', 'example.com'],
  ['REDIRECT_STATUS', '200'],
  ['SCRIPT_FILENAME', '/var/www/example.com/public/index.php'],
  ['PATH_INFO', ''],
  ['HTTP_HOST', 'example.com'],
  ['HTTP_USER_AGENT', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'],
  ['HTTP_ACCEPT', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'],
  ['HTTP_ACCEPT_LANGUAGE', 'en-US,en;q=0.9,de;q=0.8'],
  ['HTTP_ACCEPT_ENCODING', 'gzip, deflate, br, zstd'],
  ['HTTP_REFERER', 'https://example.com/blog/posts?page=1&sort=desc'],
  ['HTTP_COOKIE', 'PHPSESSID=4f1c2a9e8b7d6c5b4a39281706f5e4d3; theme=dark; consent=analytics%3D0%2Cads%3D0'],
  ['HTTP_UPGRADE_INSECURE_REQUESTS', '1'],
  ['HTTP_SEC_FETCH_DEST', 'document'],
  ['HTTP_SEC_FETCH_MODE', 'navigate'],
];

/** The request id every fixture uses (nginx numbers its requests from 1). */
export const requestId = 1;

/**
 * One record's wire bytes from its parts.
 *
 * @param {Uint8Array[]} pieces
 * @returns {Uint8Array}
 */
function join(pieces) {
  return concatBytes(pieces);
}

/**
 * BEGIN_REQUEST (responder, no keep-conn as nginx sends by default) + the params in one
 * PARAMS record + the empty PARAMS + the empty STDIN of a GET.
 *
 * @returns {Uint8Array}
 */
export function nginxRequestBytes() {
  return join([
    encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: false }),
    ...encodeParamsStream(requestId, nginxParams),
    ...encodeStream(RecordType.Stdin, requestId, new Uint8Array(0), { end: true }),
  ]);
}

/**
 * Deterministic pseudo-random bytes (HTML-ish text is no different for a codec).
 *
 * @param {number} length
 * @returns {Uint8Array}
 */
export function bodyBytes(length) {
  const bytes = new Uint8Array(length);
  let state = 0x12345678;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = 32 + ((state >>> 16) % 95);
  }
  return bytes;
}

/** Size of the large STDOUT body: 1 MiB. */
export const largeBodyLength = 1024 * 1024;

/**
 * A 1 MiB STDOUT stream as the codec frames it: 16 records of 65535 bytes (+1 byte of
 * padding), one of 16 bytes, then the empty end-of-stream record.
 *
 * @param {Uint8Array} body
 * @returns {Uint8Array}
 */
export function largeStdoutBytes(body) {
  return join(encodeStream(RecordType.Stdout, requestId, body, { end: true }));
}

/** Number of records of the small-record scenario. */
export const smallRecordCount = 10_000;
/** Content bytes of each small record. */
export const smallRecordLength = 100;

/**
 * The 10,000 pieces an app writes, each a 100-byte view of one body.
 *
 * @param {(bytes: Uint8Array, offset: number, length: number) => Uint8Array} view
 * @returns {Uint8Array[]}
 */
export function smallChunks(view) {
  const body = bodyBytes(smallRecordCount * smallRecordLength);
  const chunks = [];
  for (let index = 0; index < smallRecordCount; index++) chunks.push(view(body, index * smallRecordLength, smallRecordLength));
  return chunks;
}

/**
 * 10,000 STDOUT records of 100 bytes (+4 bytes of padding) back to back in one buffer.
 *
 * @param {readonly Uint8Array[]} chunks
 * @returns {Uint8Array}
 */
export function smallStdoutBytes(chunks) {
  /** @type {Uint8Array[]} */
  const pieces = [];
  for (const chunk of chunks) pieces.push(...encodeStream(RecordType.Stdout, requestId, chunk));
  return join(pieces);
}

// The codec tour: builds one FastCGI exchange as nginx and an app would write it, then
// decodes it back from bytes cut into uneven chunks, as a socket would deliver them.
import {
  CgiHeadParser,
  ParamsDecoder,
  RecordDecoder,
  RecordType,
  Role,
  concatBytes,
  encodeParamsStream,
  encodeRecord,
  encodeStream,
  recordTypeName,
  roleName,
  protocolStatusName,
} from '@fcgi/codec';

const text = new TextEncoder();
const requestId = 1;

/** The params nginx sends for `POST /hello.php?name=world` (a subset of fastcgi_params). */
export const sampleParams = {
  GATEWAY_INTERFACE: 'CGI/1.1',
  SERVER_SOFTWARE: 'nginx/1.22.1',
  REQUEST_METHOD: 'POST',
  REQUEST_URI: '/hello.php?name=world',
  SCRIPT_NAME: '/hello.php',
  SCRIPT_FILENAME: '/srv/www/hello.php',
  QUERY_STRING: 'name=world',
  CONTENT_TYPE: 'application/json',
  CONTENT_LENGTH: '17',
  SERVER_PROTOCOL: 'HTTP/1.1',
  REMOTE_ADDR: '127.0.0.2',
  HTTP_HOST: 'example.test',
};

/** Every byte of the exchange: the web server's records, then the app's. */
export function buildExchange() {
  const body = text.encode('{"greeting":"hi"}');
  const response = text.encode('Status: 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nHello, world!\n');
  return concatBytes([
    encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: true }),
    ...encodeParamsStream(requestId, sampleParams),
    ...encodeStream(RecordType.Stdin, requestId, body, { end: true }),
    ...encodeStream(RecordType.Stderr, requestId, text.encode('PHP Notice: a sample line of STDERR'), { end: true }),
    ...encodeStream(RecordType.Stdout, requestId, response, { end: true }),
    encodeRecord({ type: RecordType.EndRequest, requestId, appStatus: 0, protocolStatus: 0 }),
  ]);
}

/** Cuts bytes into chunks of 1, 2, 3... bytes, cycling to 61: the worst a socket can do. */
export function* unevenChunks(bytes) {
  let size = 1;
  for (let offset = 0; offset < bytes.length; offset += size, size = (size % 61) + 1) {
    yield bytes.subarray(offset, offset + size);
  }
}

function preview(content) {
  const shown = Array.from(content.subarray(0, 24), (byte) => (byte >= 32 && byte < 127 ? String.fromCharCode(byte) : '.')).join('');
  return content.length > 24 ? `${shown}...` : shown;
}

/** One line per record: type, request id, what it carries. */
export function describeRecord(record) {
  const head = `${recordTypeName(record.type === 'unknown' ? record.rawType : record.type).padEnd(13)} id=${record.requestId}`;
  switch (record.type) {
    case RecordType.BeginRequest: return `${head} role=${roleName(record.role)} keepConn=${record.keepConn}`;
    case RecordType.EndRequest: return `${head} appStatus=${record.appStatus} protocolStatus=${protocolStatusName(record.protocolStatus)}`;
    case RecordType.AbortRequest: return head;
    case RecordType.GetValues: case RecordType.GetValuesResult: return `${head} pairs=${record.pairs.length}`;
    case RecordType.UnknownType: return `${head} unknownType=${record.unknownType}`;
    default: return `${head} ${String(record.content.length).padStart(5)} bytes ${record.content.length === 0 ? '(end of stream)' : `"${preview(record.content)}"`}`;
  }
}

/** Decodes the exchange chunk by chunk; returns the printed lines. */
export function runTour() {
  const bytes = buildExchange();
  const decoder = new RecordDecoder();
  const params = new ParamsDecoder();
  const head = new CgiHeadParser();
  const lines = [`${bytes.length} bytes on the wire, delivered in uneven chunks of 1 to 61 bytes`, ''];
  const pairs = [];
  let parsed;
  let bodyBytes = 0;
  for (const chunk of unevenChunks(bytes)) {
    for (const record of decoder.push(chunk)) {
      lines.push(describeRecord(record));
      if (record.type === RecordType.Params) {
        if (record.content.length === 0) params.end();
        else pairs.push(...params.push(record.content));
      }
      if (record.type === RecordType.Stdout && record.content.length > 0) {
        if (parsed === undefined) {
          parsed = head.push(record.content);
          bodyBytes += parsed?.rest.length ?? 0;
        } else bodyBytes += record.content.length;
      }
    }
  }
  decoder.end();
  lines.push('', `params (${pairs.length}):`, ...pairs.map((pair) => `  ${pair.name}=${pair.value}`));
  lines.push('', `response: ${parsed.head.status} ${parsed.head.statusText}, ${bodyBytes} body bytes`);
  lines.push(...parsed.head.headers.map(([name, value]) => `  ${name}: ${value}`));
  return lines;
}

/**
 * The floor of a FastCGI client in Node: requests to the app on @fcgi/codec alone, over at
 * most `connections` kept connections (one request at a time on each; more wait in a
 * queue), each request encoded when sent, its answer gathered until END_REQUEST. No
 * timeouts, no CGI head parsing, no multiplexing, no error handling beyond not hanging: not
 * a product, the reference row of the direct php-fpm benchmark.
 *
 * @module
 */
import { type Socket, connect } from 'node:net';
import { type ParamsInput, RecordDecoder, RecordType, Role, concatBytes, encodeParamsStream, encodeRecord } from '@fcgi/codec';

const requestId = 1;
const begin = encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: true });
const emptyStdin = encodeRecord({ type: RecordType.Stdin, requestId, content: new Uint8Array(0) });

/** One request: what to send, and where its answer (STDOUT bytes, head included) goes. */
interface Pending {
  params: ParamsInput;
  resolve(answer: Buffer): void;
  reject(error: Error): void;
}

/** A kept connection and the request in flight on it. */
interface Upstream {
  socket: Socket;
  decoder: RecordDecoder;
  pending: Pending | undefined;
  chunks: Buffer[];
}

/**
 * A function sending one request to the app at the Unix socket `path` and resolving with its
 * STDOUT bytes (CGI head and body) after END_REQUEST.
 *
 * @example
 * ```ts
 * const send = minimalClient('/run/php-fpm.sock', 8);
 * const answer = await send({ SCRIPT_FILENAME: '/srv/www/hello.php', REQUEST_METHOD: 'GET' });
 * ```
 */
export function minimalClient(path: string, connections: number): (params: ParamsInput) => Promise<Buffer> {
  const idle: Upstream[] = [];
  const waiting: Pending[] = [];
  let opened = 0;

  const send = (upstream: Upstream, pending: Pending): void => {
    upstream.pending = pending;
    upstream.socket.write(concatBytes([begin, ...encodeParamsStream(requestId, pending.params), emptyStdin]));
  };

  const release = (upstream: Upstream): void => {
    const next = waiting.shift();
    if (next === undefined) idle.push(upstream);
    else send(upstream, next);
  };

  const onRecords = (upstream: Upstream, chunk: Buffer): void => {
    for (const record of upstream.decoder.push(chunk)) {
      if (record.type === RecordType.Stdout) {
        if (record.content.length > 0) upstream.chunks.push(Buffer.from(record.content.buffer, record.content.byteOffset, record.content.length));
      } else if (record.type === RecordType.EndRequest) {
        const pending = upstream.pending as Pending;
        const chunks = upstream.chunks;
        upstream.pending = undefined;
        upstream.chunks = [];
        pending.resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
        release(upstream);
      }
    }
  };

  const open = (): Upstream => {
    opened++;
    const upstream: Upstream = { socket: connect(path), decoder: new RecordDecoder(), pending: undefined, chunks: [] };
    upstream.socket.on('data', (chunk: Buffer) => onRecords(upstream, chunk));
    upstream.socket.on('error', () => undefined);
    upstream.socket.on('close', () => {
      opened--;
      const index = idle.indexOf(upstream);
      if (index >= 0) idle.splice(index, 1);
      upstream.pending?.reject(new Error('The app closed the connection'));
      upstream.pending = undefined;
    });
    return upstream;
  };

  return (params) =>
    new Promise<Buffer>((resolve, reject) => {
      const pending: Pending = { params, resolve, reject };
      const upstream = idle.pop() ?? (opened < connections ? open() : undefined);
      if (upstream === undefined) waiting.push(pending);
      else send(upstream, pending);
    });
}

/**
 * The ceiling of the FastCGI path: a responder written directly on @fcgi/codec that answers
 * every request with the same fixed hello (no node:http objects, no streams, no params
 * parsing beyond the decoder). Not a product: the yardstick for what @fcgi/server's
 * node:http layer costs per request.
 *
 * @module
 */
import { type Server, createServer } from 'node:net';
import { RecordDecoder, RecordType, concatBytes, encodeRecord, encodeStream } from '@fcgi/codec';

const reply = new TextEncoder().encode('Content-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello world\n');

/**
 * A net server answering each request (at its empty STDIN) with `hello world`.
 *
 * @example
 * ```ts
 * minimalResponder().listen(9000, '127.0.0.1');
 * ```
 */
export function minimalResponder(): Server {
  return createServer({ noDelay: true }, (socket) => {
    const decoder = new RecordDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const record of decoder.push(chunk)) {
        if (record.type !== RecordType.Stdin || record.content.length > 0) continue;
        const end = encodeRecord({ type: RecordType.EndRequest, requestId: record.requestId, appStatus: 0, protocolStatus: 0 });
        socket.write(concatBytes([...encodeStream(RecordType.Stdout, record.requestId, reply, { end: true }), end]));
      }
    });
    socket.on('error', () => undefined);
  });
}

/**
 * The connection handling shared by the codec-only reference apps (minimal-client.ts,
 * minimal-gateway.ts): at most `connections` kept connections to a FastCGI app, one request
 * at a time on each, more waiting in a queue; each request's STDOUT gathered until its
 * END_REQUEST. No timeouts and no multiplexing: the floor, not a product.
 *
 * @module
 */
import { type Socket, connect } from 'node:net';
import { type ParamsInput, RecordDecoder, RecordType, Role, concatBytes, encodeParamsStream, encodeRecord } from '@fcgi/codec';

const requestId = 1;
const begin = encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Responder, keepConn: true });
const emptyStdin = encodeRecord({ type: RecordType.Stdin, requestId, content: new Uint8Array(0) });

/** What a reference app does with each of its requests. */
export interface UpstreamJobs<Job> {
  /** The request's params, encoded when it is sent. */
  params(job: Job): ParamsInput;
  /** The whole STDOUT (CGI head and body), after END_REQUEST. */
  answer(job: Job, stdout: Buffer): void;
  /** The connection closed before END_REQUEST. */
  lost(job: Job): void;
}

/** A kept connection and the job in flight on it. */
interface Upstream<Job> {
  socket: Socket;
  decoder: RecordDecoder;
  job: Job | undefined;
  chunks: Buffer[];
}

/** A socket to `address`: a Unix socket path, or `host:port`. */
function open(address: string): Socket {
  if (address.startsWith('/')) return connect(address);
  const colon = address.lastIndexOf(':');
  return connect(Number(address.slice(colon + 1)), address.slice(0, colon));
}

/**
 * A function that sends a job to the app at `address` over at most `connections` kept
 * connections.
 *
 * @example
 * ```ts
 * const submit = keptUpstreams<string>('/run/php-fpm.sock', 8, { params: (script) => ({ SCRIPT_FILENAME: script }), answer: (_, stdout) => console.log(stdout.length), lost: () => undefined });
 * submit('/srv/www/hello.php');
 * ```
 */
export function keptUpstreams<Job>(address: string, connections: number, jobs: UpstreamJobs<Job>): (job: Job) => void {
  const idle: Upstream<Job>[] = [];
  const waiting: Job[] = [];
  let opened = 0;

  const send = (upstream: Upstream<Job>, job: Job): void => {
    upstream.job = job;
    upstream.socket.write(concatBytes([begin, ...encodeParamsStream(requestId, jobs.params(job)), emptyStdin]));
  };

  const onRecords = (upstream: Upstream<Job>, chunk: Buffer): void => {
    for (const record of upstream.decoder.push(chunk)) {
      if (record.type === RecordType.Stdout) {
        if (record.content.length > 0) upstream.chunks.push(Buffer.from(record.content.buffer, record.content.byteOffset, record.content.length));
      } else if (record.type === RecordType.EndRequest) {
        const { job, chunks } = upstream;
        upstream.job = undefined;
        upstream.chunks = [];
        jobs.answer(job as Job, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
        const next = waiting.shift();
        if (next === undefined) idle.push(upstream);
        else send(upstream, next);
      }
    }
  };

  // A closed connection is forgotten (its job told) and a new one opened on demand.
  const onClose = (upstream: Upstream<Job>): void => {
    opened -= 1;
    const index = idle.indexOf(upstream);
    if (index !== -1) idle.splice(index, 1);
    if (upstream.job !== undefined) jobs.lost(upstream.job);
    upstream.job = undefined;
  };

  const start = (): Upstream<Job> => {
    opened += 1;
    const upstream: Upstream<Job> = { socket: open(address), decoder: new RecordDecoder(), job: undefined, chunks: [] };
    upstream.socket.on('data', (chunk: Buffer) => onRecords(upstream, chunk));
    upstream.socket.on('error', () => undefined);
    upstream.socket.on('close', () => onClose(upstream));
    return upstream;
  };

  return (job) => {
    const upstream = idle.pop() ?? (opened < connections ? start() : undefined);
    if (upstream === undefined) waiting.push(job);
    else send(upstream, job);
  };
}

/**
 * One connection of the mock backend: decodes what arrives, records it, and answers as
 * scripted, one output step at a time.
 *
 * @module
 */
import type { Socket } from 'node:net';
import { type FcgiRecord, ParamsDecoder, ProtocolStatus, RecordDecoder, RecordType, ValueName, encodeRecord } from '@fcgi/codec';
import { type MockRequest, type MockResponse, type MockScript, type OutputStep, endRequest, responseSteps } from './mock-script.js';

/**
 * A record the mock received, with the connection it came on.
 *
 * @example
 * ```ts
 * const begins = backend.records.filter((entry: ReceivedRecord) => entry.record.type === RecordType.BeginRequest);
 * ```
 */
export interface ReceivedRecord {
  readonly connection: number;
  readonly record: FcgiRecord;
}

/** What a connection shares with its backend. */
export interface MockContext {
  readonly script: MockScript;
  readonly records: ReceivedRecord[];
  readonly requests: MockRequest[];
  /** Called after every received record, for waiters. */
  changed(): void;
}

interface Active {
  request: MockRequest;
  paramsDecoder: ParamsDecoder;
  paramsDone: boolean;
  stdinDone: boolean;
  dataDone: boolean;
  answering: boolean;
  response: MockResponse | undefined;
  finished: boolean;
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Serves one accepted socket for the mock backend.
 *
 * @example
 * ```ts
 * netServer.on('connection', (socket) => new MockConnection(socket, index++, context));
 * ```
 */
export class MockConnection {
  readonly #socket: Socket;
  readonly #index: number;
  readonly #context: MockContext;
  readonly #decoder = new RecordDecoder({ copyContent: true });
  readonly #active = new Map<number, Active>();
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(socket: Socket, index: number, context: MockContext) {
    this.#socket = socket;
    this.#index = index;
    this.#context = context;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      this.#context.changed();
    });
  }

  #onData(chunk: Buffer): void {
    try {
      for (const record of this.#decoder.push(chunk)) {
        this.#context.records.push({ connection: this.#index, record });
        this.#onRecord(record);
      }
    } catch {
      // Not FastCGI, or malformed params: drop the connection, as a real app would.
      this.#socket.destroy();
    }
    this.#context.changed();
  }

  #onRecord(record: FcgiRecord): void {
    if (record.requestId === 0 || record.type === 'unknown') {
      this.#onManagement(record);
      return;
    }
    if (record.type === RecordType.BeginRequest) {
      this.#onBegin(record.requestId, record.role, record.keepConn);
      return;
    }
    const active = this.#active.get(record.requestId);
    if (active === undefined || active.finished) return;
    switch (record.type) {
      case RecordType.AbortRequest:
        this.#onAbort(active);
        return;
      case RecordType.Params:
        this.#onParams(active, record.content);
        break;
      case RecordType.Stdin:
        if (record.content.length === 0) active.stdinDone = true;
        active.request.stdin = Buffer.concat([active.request.stdin, record.content]);
        break;
      case RecordType.Data:
        if (record.content.length === 0) active.dataDone = true;
        active.request.data = Buffer.concat([active.request.data, record.content]);
        break;
      default:
        return;
    }
    this.#maybeAnswer(active);
  }

  #onManagement(record: FcgiRecord): void {
    if (record.type === RecordType.GetValues) {
      const values = this.#context.script.values;
      if (values === false) return;
      const known: Record<string, string> = { [ValueName.MaxConns]: '10', [ValueName.MaxReqs]: '50', [ValueName.MpxsConns]: String(this.#context.script.mpxsConns ?? 0), ...values };
      const pairs = record.pairs.map((pair) => ('name' in pair ? pair.name : String(pair[0]))).filter((name) => known[name] !== undefined).map((name) => [name, known[name]!] as const);
      this.#enqueue([{ kind: 'write', bytes: encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs }) }]);
      return;
    }
    const unknownType = record.type === 'unknown' ? record.rawType : record.type;
    if (record.requestId === 0 && this.#context.script.unknownType !== false) this.#enqueue([{ kind: 'write', bytes: encodeRecord({ type: RecordType.UnknownType, requestId: 0, unknownType }) }]);
  }

  #onBegin(requestId: number, role: number, keepConn: boolean): void {
    const busy = [...this.#active.values()].some((active) => !active.finished);
    const request: MockRequest = { connection: this.#index, requestId, role, keepConn, params: {}, paramPairs: [], stdin: Buffer.alloc(0), data: Buffer.alloc(0), aborted: false };
    this.#context.requests.push(request);
    if (role < 1 || role > 3) {
      this.#enqueue([{ kind: 'write', bytes: endRequest(requestId, 0, ProtocolStatus.UnknownRole) }]);
      return;
    }
    if (busy && this.#context.script.mpxsConns !== 1) {
      this.#enqueue([{ kind: 'write', bytes: endRequest(requestId, 0, ProtocolStatus.CantMpxConn) }]);
      return;
    }
    const active: Active = { request, paramsDecoder: new ParamsDecoder(), paramsDone: false, stdinDone: false, dataDone: false, answering: false, response: undefined, finished: false };
    this.#active.set(requestId, active);
  }

  #onParams(active: Active, content: Uint8Array): void {
    if (content.length === 0) {
      active.paramsDone = true;
      active.paramsDecoder.end();
      return;
    }
    for (const pair of active.paramsDecoder.push(content)) {
      active.request.paramPairs.push(pair);
      active.request.params[pair.name] = pair.value;
    }
  }

  #onAbort(active: Active): void {
    active.request.aborted = true;
    if (active.response?.neverAnswer === true || active.response?.ignoreAbort === true) return;
    active.finished = true;
    this.#finish(active, [{ kind: 'write', bytes: endRequest(active.request.requestId, 0, ProtocolStatus.RequestComplete) }]);
  }

  #maybeAnswer(active: Active): void {
    if (active.answering || !active.paramsDone) return;
    active.answering = true;
    this.#answer(active).catch(() => this.#socket.destroy());
  }

  async #answer(active: Active): Promise<void> {
    const respond = this.#context.script.respond ?? { body: 'ok' };
    // A fixed refusal (OVERLOADED...) comes at once; anything else once the input streams
    // ended, as from a CGI app that reads its body first (a function then sees it all).
    const early = typeof respond !== 'function' && respond.protocolStatus !== undefined && respond.protocolStatus !== 'complete';
    if (typeof respond !== 'function') active.response = respond;
    while (!early && !active.finished && !this.#closed && !(active.stdinDone && (active.request.role !== 3 || active.dataDone))) await sleep(5);
    if (active.finished || this.#closed) return;
    const response = typeof respond === 'function' ? await respond(active.request) : respond;
    active.response = response;
    if ((response.delay ?? 0) > 0) await sleep(response.delay!);
    if (active.finished || this.#closed) return;
    if (response.neverAnswer === true) return;
    active.finished = true;
    this.#finish(active, responseSteps(active.request.requestId, response));
  }

  #finish(active: Active, steps: OutputStep[]): void {
    this.#enqueue(steps, active.response);
    this.#queue = this.#queue.then(() => {
      this.#active.delete(active.request.requestId);
      const policy = this.#context.script.keepConn ?? 'honour';
      const close = policy === 'always-close' || (policy === 'honour' && !active.request.keepConn);
      if (close && this.#active.size === 0) this.#socket.end();
    });
  }

  #enqueue(steps: OutputStep[], response: MockResponse = {}): void {
    this.#queue = this.#queue.then(() => this.#run(steps, response));
  }

  async #run(steps: OutputStep[], response: MockResponse): Promise<void> {
    for (const step of steps) {
      if (this.#socket.destroyed) return;
      if (step.kind === 'wait') await sleep(step.milliseconds);
      else if (step.kind === 'destroy') this.#socket.destroy();
      else await this.#write(step.bytes, response);
    }
  }

  async #write(bytes: Uint8Array, response: MockResponse): Promise<void> {
    const rate = response.bytesPerSecond;
    const size = rate !== undefined ? Math.max(1, Math.floor(rate / 10)) : (response.writeSize ?? bytes.length);
    for (let offset = 0; offset < bytes.length; offset += size) {
      if (this.#socket.destroyed) return;
      this.#socket.write(bytes.subarray(offset, offset + size));
      if (rate !== undefined) await sleep((size / rate) * 1000);
      else if (size < bytes.length) await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

// The parts of npm `fastcgi-stream` 1.0.0 (untyped CommonJS) that the benchmark uses.
declare module 'fastcgi-stream' {
  import type { EventEmitter } from 'node:events';

  /** A record object: type-specific fields set by `read`, or given to the constructor for writing. */
  interface PeerRecord {
    readonly TYPE: number;
    getSize(): number;
    write(buffer: Buffer): void;
    read(buffer: Buffer): void;
  }

  type RecordConstructor = new (...args: never[]) => PeerRecord;

  /** Wraps a duplex stream: emits `'record'` (requestId, record) per decoded record. */
  interface FastCGIStream extends EventEmitter {
    writeRecord(requestId: number, record: PeerRecord, callback?: () => void): boolean;
  }

  const fastcgiStream: {
    FastCGIStream: new (stream: EventEmitter & { write?(buffer: Buffer): boolean }) => FastCGIStream;
    records: Record<'BeginRequest' | 'AbortRequest' | 'EndRequest' | 'Params' | 'StdIn' | 'StdOut' | 'StdErr' | 'Data' | 'GetValues' | 'GetValuesResult' | 'UnknownType', RecordConstructor>;
    constants: Record<string, unknown>;
  };
  export default fastcgiStream;
}

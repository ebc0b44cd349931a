/**
 * The conformance checks about framing: padding, records split anywhere, 1-byte records.
 *
 * @module
 */
import { RecordType, concatBytes, encodeParams, encodeRecord } from '@fcgi/codec';
import type { ConformanceCheck } from './conformance-checks.js';
import { baseParams, expectCompleted, splitRecords } from './conformance-context.js';

const body = new TextEncoder().encode('conformance body: 0123456789');

const paddingCheck: ConformanceCheck = {
  id: 'padding',
  level: 'MUST',
  section: '§3.3',
  title: 'records with every padding length 0-255 are accepted',
  async run(context) {
    const connection = await context.open();
    // A 256-byte body as 256 one-byte STDIN records, record i padded with i bytes.
    const paddedBody = new Uint8Array(256).map((_value, index) => 97 + (index % 26));
    const params = encodeParams(baseParams(context.params, { stdin: paddedBody }));
    const records: Uint8Array[] = [
      encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: false }, { paddingLength: 255 }),
      encodeRecord({ type: RecordType.Params, requestId: 1, content: params }, { paddingLength: 7 }),
      encodeRecord({ type: RecordType.Params, requestId: 1, content: new Uint8Array(0) }, { paddingLength: 1 }),
      ...splitRecords(RecordType.Stdin, 1, paddedBody, Array.from({ length: 255 }, (_value, index) => index + 1), (index) => index),
      encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) }, { paddingLength: 3 }),
    ];
    connection.send(records);
    return `${expectCompleted(await connection.response(1, context.timeout))} with padding 0-255`;
  },
};

const splitPairCheck: ConformanceCheck = {
  id: 'params-split-pair',
  level: 'MUST',
  section: '§3.4',
  title: 'a name-value pair split across PARAMS records is accepted',
  async run(context) {
    const connection = await context.open();
    const longValue = 'v'.repeat(300);
    const first = encodeParams({ HTTP_X_CONFORMANCE: longValue });
    const rest = encodeParams(baseParams(context.params));
    // Cuts inside the 4-byte value length, inside the name and inside the value.
    const params = concatBytes([first, rest]);
    const cuts = [3, 8, 20, 200, first.length + 1];
    connection.send([
      encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: false }),
      ...splitRecords(RecordType.Params, 1, params, cuts),
      encodeRecord({ type: RecordType.Params, requestId: 1, content: new Uint8Array(0) }),
      encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) }),
    ]);
    return expectCompleted(await connection.response(1, context.timeout));
  },
};

const oneByteCheck: ConformanceCheck = {
  id: 'one-byte-records',
  level: 'MUST',
  section: '§3.3',
  title: 'PARAMS and STDIN sent as 1-byte records are accepted',
  async run(context) {
    const connection = await context.open();
    const params = encodeParams(baseParams(context.params, { stdin: body }));
    const everyByte = (length: number): number[] => Array.from({ length }, (_value, index) => index + 1);
    connection.send([
      encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: false }),
      ...splitRecords(RecordType.Params, 1, params, everyByte(params.length)),
      encodeRecord({ type: RecordType.Params, requestId: 1, content: new Uint8Array(0) }),
      ...splitRecords(RecordType.Stdin, 1, body, everyByte(body.length)),
      encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) }),
    ]);
    return `${expectCompleted(await connection.response(1, context.timeout))} from ${params.length + body.length} 1-byte records`;
  },
};

const splitWritesCheck: ConformanceCheck = {
  id: 'split-writes',
  level: 'MUST',
  section: '§3.3',
  title: 'records arriving one byte per write are accepted',
  async run(context) {
    const connection = await context.open();
    const bytes = concatBytes(context.request({ requestId: 1, stdin: body }));
    for (let offset = 0; offset < bytes.length; offset++) {
      connection.send(bytes.subarray(offset, offset + 1));
      if (offset % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return expectCompleted(await connection.response(1, context.timeout));
  },
};

/**
 * The checks about framing.
 *
 * @example
 * ```ts
 * framingChecks.map((check) => check.id); // ['padding', 'params-split-pair', 'one-byte-records', 'split-writes']
 * ```
 */
export const framingChecks: readonly ConformanceCheck[] = [paddingCheck, splitPairCheck, oneByteCheck, splitWritesCheck];

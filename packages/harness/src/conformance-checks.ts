/**
 * The conformance checks about management records, the request life cycle and the
 * connection (KEEP_CONN, multiplexing, ABORT_REQUEST).
 *
 * @module
 */
import { ProtocolStatus, RecordType, ValueName, encodeRecord } from '@fcgi/codec';
import { violation } from './errors.js';
import { type CheckContext, expectCompleted } from './conformance-context.js';

/**
 * One rule of the FastCGI specification, checked against a live app.
 *
 * @example
 * ```ts
 * const check: ConformanceCheck = { id: 'x', level: 'SHOULD', section: '§4.1', title: 'x', run: async () => 'fine' };
 * ```
 */
export interface ConformanceCheck {
  /** Stable id, used in `skip` and reports. */
  readonly id: string;
  /** MUST: a violation breaks real web servers; SHOULD: a recommendation. */
  readonly level: 'MUST' | 'SHOULD';
  /** Where the rule is in the FastCGI 1.0 specification. */
  readonly section: string;
  /** What is checked, in one line. */
  readonly title: string;
  /** Resolves to a detail on success; throws (with the reason) on failure. */
  run(context: CheckContext): Promise<string>;
}

const getValuesCheck: ConformanceCheck = {
  id: 'get-values',
  level: 'MUST',
  section: '§4.1',
  title: 'GET_VALUES is answered with a well-formed GET_VALUES_RESULT',
  async run(context) {
    const connection = await context.open();
    const asked = [ValueName.MaxConns, ValueName.MaxReqs, ValueName.MpxsConns, 'FCGI_NO_SUCH_VARIABLE'];
    connection.send(encodeRecord({ type: RecordType.GetValues, requestId: 0, pairs: asked.map((name) => [name, ''] as const) }));
    const answer = await connection.next((record) => record.type === RecordType.GetValuesResult, context.timeout);
    if (answer.type !== RecordType.GetValuesResult || answer.requestId !== 0) throw violation('GET_VALUES_RESULT must have request id 0');
    const pairs = answer.pairs.map((pair) => ('name' in pair ? [pair.name, pair.value] : [String(pair[0]), String(pair[1])]));
    for (const [name, value] of pairs) {
      if (!asked.includes(name!) || name === 'FCGI_NO_SUCH_VARIABLE') throw violation(`GET_VALUES_RESULT has ${String(name)}, which was not asked for or is unknown`);
      if (!/^\d+$/.test(value!)) throw violation(`${String(name)}=${JSON.stringify(value)} is not a decimal number`);
    }
    return pairs.length === 0 ? 'answered with no values' : pairs.map(([name, value]) => `${String(name)}=${String(value)}`).join(' ');
  },
};

const unknownTypeCheck: ConformanceCheck = {
  id: 'unknown-type',
  level: 'MUST',
  section: '§4.2',
  title: 'a management record of an unknown type gets UNKNOWN_TYPE',
  async run(context) {
    const connection = await context.open();
    connection.send(encodeRecord({ type: 'unknown', rawType: 42, requestId: 0, content: new Uint8Array([1, 2, 3]) }));
    const answer = await connection.next((record) => record.type === RecordType.UnknownType, context.timeout);
    if (answer.type !== RecordType.UnknownType || answer.unknownType !== 42) throw violation(`UNKNOWN_TYPE names type ${answer.type === RecordType.UnknownType ? answer.unknownType : '?'}, expected 42`);
    return 'UNKNOWN_TYPE {type: 42}';
  },
};

const wellFormedCheck: ConformanceCheck = {
  id: 'request-completes',
  level: 'MUST',
  section: '§5.5',
  title: 'a simple request gets STDOUT and END_REQUEST {REQUEST_COMPLETE}, only with its request id',
  async run(context) {
    const connection = await context.open();
    connection.send(context.request({ requestId: 1 }));
    const response = await connection.response(1, context.timeout);
    const stray = connection.received.filter((record) => record.requestId !== 1);
    if (stray.length > 0) throw violation(`records for request ids ${[...new Set(stray.map((record) => record.requestId))].join(', ')} came back`);
    const wrong = response.records.filter((record) => record.type !== RecordType.Stdout && record.type !== RecordType.Stderr && record.type !== RecordType.EndRequest);
    if (wrong.length > 0) throw violation(`unexpected record types ${wrong.map((record) => String(record.type)).join(', ')}`);
    return expectCompleted(response);
  },
};

const streamsEndedCheck: ConformanceCheck = {
  id: 'streams-ended',
  level: 'MUST',
  section: '§5.3',
  title: 'STDOUT (and STDERR when used) end with an empty record before END_REQUEST',
  async run(context) {
    const connection = await context.open();
    connection.send(context.request({ requestId: 1 }));
    const { records } = await connection.response(1, context.timeout);
    const ended = (type: number): boolean => records.some((record) => record.type === type && 'content' in record && record.content.length === 0);
    if (!ended(RecordType.Stdout)) throw violation('END_REQUEST came without an empty STDOUT record');
    const usedStderr = records.some((record) => record.type === RecordType.Stderr);
    if (usedStderr && !ended(RecordType.Stderr)) throw violation('STDERR was used but not ended with an empty STDERR record');
    return usedStderr ? 'empty STDOUT and empty STDERR' : 'empty STDOUT';
  },
};

const closeWithoutKeepConnCheck: ConformanceCheck = {
  id: 'keep-conn-off',
  level: 'MUST',
  section: '§5.1',
  title: 'without FCGI_KEEP_CONN the app closes the connection after END_REQUEST',
  async run(context) {
    const connection = await context.open();
    connection.send(context.request({ requestId: 1, keepConn: false }));
    await connection.response(1, context.timeout);
    if (!(await connection.closesWithin(context.timeout))) throw violation(`the connection was still open ${context.timeout} ms after END_REQUEST`);
    return 'closed after END_REQUEST';
  },
};

const keepConnCheck: ConformanceCheck = {
  id: 'keep-conn-on',
  level: 'MUST',
  section: '§5.1',
  title: 'with FCGI_KEEP_CONN the connection stays open and serves the next request',
  async run(context) {
    const connection = await context.open();
    connection.send(context.request({ requestId: 1, keepConn: true }));
    expectCompleted(await connection.response(1, context.timeout));
    if (await connection.closesWithin(context.settle)) throw violation('the app closed the connection after END_REQUEST');
    const before = connection.received.length;
    connection.send(context.request({ requestId: 1, keepConn: true }));
    await connection.waitFor(() => connection.received.slice(before).some((record) => record.type === RecordType.EndRequest), context.timeout);
    const second = connection.received.slice(before);
    const end = second.find((record) => record.type === RecordType.EndRequest);
    if (end === undefined) throw violation(connection.closed ? 'the app closed the connection during the second request' : 'no END_REQUEST for the second request');
    expectCompleted({ records: second, end: end });
    return 'two requests on one connection';
  },
};

const noRecordsAfterEndCheck: ConformanceCheck = {
  id: 'no-records-after-end',
  level: 'MUST',
  section: '§5.5',
  title: 'no record for a request id after its END_REQUEST',
  async run(context) {
    const connection = await context.open();
    connection.send(context.request({ requestId: 1, keepConn: true }));
    await connection.response(1, context.timeout);
    await connection.waitFor(() => false, context.settle);
    const endIndex = connection.received.findIndex((record) => record.type === RecordType.EndRequest);
    const after = connection.received.slice(endIndex + 1).filter((record) => record.requestId === 1);
    if (after.length > 0) throw violation(`${after.length} record(s) of types ${after.map((record) => String(record.type)).join(', ')} came after END_REQUEST`);
    return `nothing within ${context.settle} ms after END_REQUEST`;
  },
};

const inactiveIdCheck: ConformanceCheck = {
  id: 'inactive-id-ignored',
  level: 'MUST',
  section: '§3.3',
  title: 'records for an inactive request id are ignored',
  async run(context) {
    const connection = await context.open();
    const stray = [
      encodeRecord({ type: RecordType.Params, requestId: 5, content: new Uint8Array([1, 1, 65, 66]) }),
      encodeRecord({ type: RecordType.Stdin, requestId: 5, content: new Uint8Array([1, 2, 3]) }),
      encodeRecord({ type: RecordType.Stdin, requestId: 5, content: new Uint8Array(0) }),
      encodeRecord({ type: RecordType.AbortRequest, requestId: 5 }),
    ];
    connection.send([...stray, ...context.request({ requestId: 1 })]);
    const summary = expectCompleted(await connection.response(1, context.timeout));
    await connection.waitFor(() => false, context.settle);
    if (connection.received.some((record) => record.requestId === 5)) throw violation('the app answered records of inactive request id 5');
    return `stray PARAMS/STDIN/ABORT_REQUEST for id 5 ignored; request 1: ${summary}`;
  },
};

const multiplexCheck: ConformanceCheck = {
  id: 'multiplexing',
  level: 'MUST',
  section: '§5.5',
  title: 'a second concurrent request on one connection is served or refused with CANT_MPX_CONN',
  async run(context) {
    const connection = await context.open();
    connection.send([...context.request({ requestId: 1, keepConn: true }), ...context.request({ requestId: 2, keepConn: true })]);
    const outcomes: string[] = [];
    for (const requestId of [1, 2]) {
      const response = await connection.response(requestId, context.timeout);
      if (response.end.protocolStatus === ProtocolStatus.CantMpxConn) outcomes.push(`${requestId}: CANT_MPX_CONN`);
      else outcomes.push(`${requestId}: ${expectCompleted(response)}`);
    }
    return outcomes.join('; ');
  },
};

const abortCheck: ConformanceCheck = {
  id: 'abort-request',
  level: 'MUST',
  section: '§5.4',
  title: 'ABORT_REQUEST is answered with END_REQUEST',
  async run(context) {
    const connection = await context.open();
    const records = context.request({ requestId: 1, keepConn: true, params: { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '100000', CONTENT_TYPE: 'application/octet-stream' }, stdinRecords: [encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(10) })] });
    connection.send(records.slice(0, -1)); // everything but the empty STDIN: the body is still coming
    await connection.waitFor(() => false, Math.min(context.settle, 100));
    connection.send(encodeRecord({ type: RecordType.AbortRequest, requestId: 1 }));
    const response = await connection.response(1, context.timeout);
    return `END_REQUEST {appStatus: ${response.end.appStatus}, protocolStatus: ${response.end.protocolStatus}}`;
  },
};

const unknownRoleCheck: ConformanceCheck = {
  id: 'unknown-role',
  level: 'SHOULD',
  section: '§5.5',
  title: 'a BEGIN_REQUEST with an unknown role gets END_REQUEST {UNKNOWN_ROLE}',
  async run(context) {
    const connection = await context.open();
    connection.send(context.request({ requestId: 1, role: 9 }));
    const response = await connection.response(1, context.timeout);
    if (response.end.protocolStatus !== ProtocolStatus.UnknownRole) throw violation(`protocolStatus ${response.end.protocolStatus}, expected UNKNOWN_ROLE (3)`);
    return 'UNKNOWN_ROLE';
  },
};

/**
 * The checks about management records and the request and connection life cycle.
 *
 * @example
 * ```ts
 * lifecycleChecks.map((check) => check.id);
 * ```
 */
export const lifecycleChecks: readonly ConformanceCheck[] = [getValuesCheck, unknownTypeCheck, wellFormedCheck, streamsEndedCheck, closeWithoutKeepConnCheck, keepConnCheck, noRecordsAfterEndCheck, inactiveIdCheck, multiplexCheck, abortCheck, unknownRoleCheck];

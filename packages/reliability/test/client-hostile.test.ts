/**
 * The known-bug cases (issue 9) against @fcgi/client: a scripted hostile app on loopback.
 * Every request must end in a result or a typed error, in bounded time.
 */
import type { Socket } from 'node:net';
import { Client, type ClientOptions } from '@fcgi/client';
import { FastCgiError, RecordType, concatBytes, encodeRecord, encodeStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { phpFpmResponse } from '../src/corpus.js';
import { onCleanup } from './support/servers.js';
import { type Script, startScriptedApp } from './support/scripted-app.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const end = (requestId: number): Uint8Array => encodeRecord({ type: RecordType.EndRequest, requestId, appStatus: 0, protocolStatus: 0 });
const stdout = (requestId: number, value: string | Uint8Array): Uint8Array => concatBytes(encodeStream(RecordType.Stdout, requestId, typeof value === 'string' ? text(value) : value));
const length4 = (value: number): number[] => [((value >>> 24) & 0x7f) | 0x80, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

function client(address: string, options: Partial<ClientOptions> = {}): Client {
  const created = new Client({ address, getValues: false, headersTimeout: 2000, bodyTimeout: 2000, abortTimeout: 200, valuesTimeout: 300, ...options });
  onCleanup(() => created.destroy());
  return created;
}

/** One request, settled completely: 'status body' or the error code. */
async function settle(target: Client, params: Record<string, string> = { REQUEST_METHOD: 'GET' }): Promise<string> {
  try {
    const response = await target.request({ params });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    await response.done;
    return `${response.status} ${Buffer.concat(chunks).toString('latin1')}`;
  } catch (error) {
    if (!FastCgiError.is(error)) throw error;
    return error.code;
  }
}

async function outcome(script: Script, options: Partial<ClientOptions> = {}): Promise<string> {
  const app = await startScriptedApp(script);
  return settle(client(app.address, options));
}

describe('client: hostile GET_VALUES_RESULT', () => {
  const answers: [string, Uint8Array][] = [
    ['a name length of 0x7FFFFFFF (CVE-2025-23016)', new Uint8Array([...length4(0x7fffffff), 1, 65, 66])],
    ['name + value lengths summing past 2^32', new Uint8Array([...length4(0x7fffffff), ...length4(0x7fffffff), 65])],
    ['a truncated 4-byte length', new Uint8Array([0x80, 0x00])],
    ['thousands of names', concatBytes(Array.from({ length: 3000 }, () => new Uint8Array([1, 1, 65, 49])))],
  ];
  for (const [name, content] of answers) {
    it(`${name}: the request still ends in a result or a typed error`, async () => {
      const app = await startScriptedApp(() => ({ bytes: phpFpmResponse('Content-Type: text/plain', 'fine') }), (socket: Socket) => {
        socket.write(encodeRecord({ type: 'unknown', rawType: RecordType.GetValuesResult, requestId: 0, content }));
      });
      const result = await settle(client(app.address, { getValues: true }));
      expect(result === '200 fine' || result.startsWith('ERR_FCGI_')).toBe(true);
      expect(app.valuesQueries.length).toBeGreaterThan(0);
    });
  }

  it('repeated names in GET_VALUES_RESULT: the last one counts, requests are served', async () => {
    const app = await startScriptedApp(() => ({ bytes: phpFpmResponse('Content-Type: text/plain', 'fine') }), (socket: Socket) => {
      socket.write(encodeRecord({ type: RecordType.GetValuesResult, requestId: 0, pairs: Array.from({ length: 90 }, (_, index) => ['FCGI_MAX_CONNS', String(index + 1)] as [string, string]) }));
    });
    const target = client(app.address, { getValues: true });
    expect(await settle(target)).toBe('200 fine');
  });
});

describe('client: framing and ids', () => {
  it('reads STDOUT records of contentLength 65535 with paddingLength 255 intact', async () => {
    const body = 'b'.repeat(65535 * 2 - 40);
    const head = 'Content-Type: x/y\r\n\r\n';
    const result = await outcome(({ requestId }) => ({ bytes: concatBytes([...encodeStream(RecordType.Stdout, requestId, text(head + body), { paddingLength: 255 }), end(requestId)]) }));
    expect(result).toBe(`200 ${body}`);
  });

  it('refuses version != 1 with a typed error (ERR_FCGI_NOT_FASTCGI first, ERR_FCGI_INVALID_VERSION later)', async () => {
    expect(await outcome(() => ({ bytes: new Uint8Array([2, 6, 0, 1, 0, 0, 0, 0]) }))).toBe('ERR_FCGI_NOT_FASTCGI');
    const app = await startScriptedApp(({ requestId, index }) => ({ bytes: index === 0 ? phpFpmResponse('A: b', 'first', '', requestId) : new Uint8Array([0, 6, 0, 1, 0, 0, 0, 0]) }));
    const target = client(app.address, { connections: 1 });
    expect(await settle(target)).toBe('200 first');
    // A kept connection that fails before any byte of the reply is retried once on a new one (where the bytes are the first seen).
    expect(await settle(target)).toMatch(/^ERR_FCGI_(INVALID_VERSION|NOT_FASTCGI)$/);
  });

  it('ignores types 0 and 12-255 on id 0 and on the active id', async () => {
    const result = await outcome(({ requestId }) => ({
      bytes: concatBytes([
        ...[0, 12, 42, 255].flatMap((rawType) => [encodeRecord({ type: 'unknown', rawType, requestId: 0, content: new Uint8Array([1]) }), encodeRecord({ type: 'unknown', rawType, requestId, content: new Uint8Array([1]) })]),
        phpFpmResponse('Content-Type: text/plain', 'typed', '', requestId),
      ]),
    }));
    expect(result).toBe('200 typed');
  });

  it('ignores web-server records, ABORT and records for unknown ids sent by the app', async () => {
    const result = await outcome(({ requestId }) => ({
      bytes: concatBytes([
        encodeRecord({ type: RecordType.BeginRequest, requestId, role: 1, keepConn: true }),
        encodeRecord({ type: RecordType.BeginRequest, requestId: 0, role: 1, keepConn: true }),
        encodeRecord({ type: RecordType.AbortRequest, requestId }),
        encodeRecord({ type: RecordType.Params, requestId, content: text('xx') }),
        encodeRecord({ type: RecordType.Stdin, requestId: 0, content: text('xx') }),
        stdout(requestId + 1, 'Status: 500\r\n\r\nwrong id'),
        end(requestId + 7),
        phpFpmResponse('Content-Type: text/plain', 'right', '', requestId),
      ]),
    }));
    expect(result).toBe('200 right');
  });

  it('ignores STDOUT after END_REQUEST; the next request on the kept connection gets its own body', async () => {
    const app = await startScriptedApp(({ requestId, index }) => ({ bytes: concatBytes([phpFpmResponse('Content-Type: text/plain', `reply ${index}`, '', requestId), stdout(requestId, 'Status: 500\r\n\r\nlate'), end(requestId)]) }));
    const target = client(app.address, { connections: 1 });
    expect(await settle(target)).toBe('200 reply 0');
    expect(await settle(target)).toBe('200 reply 1');
    expect(await settle(target)).toBe('200 reply 2');
  });

  for (const length of [0, 7, 9, 16, 65535]) {
    it(`refuses an END_REQUEST body of ${length} bytes (ERR_FCGI_INVALID_BODY_LENGTH)`, async () => {
      const result = await outcome(({ requestId }) => {
        const header = new Uint8Array([1, RecordType.EndRequest, requestId >> 8, requestId & 0xff, length >> 8, length & 0xff, 0, 0]);
        return { bytes: concatBytes([stdout(requestId, 'A: b\r\n\r\nbody'), header, new Uint8Array(length)]) };
      });
      expect(result).toBe('ERR_FCGI_INVALID_BODY_LENGTH');
    });
  }
});

describe('client: hostile CGI heads', () => {
  const heads: [string, string, string][] = [
    ['a head over 64 KiB', `X-Big: ${'a'.repeat(70_000)}\r\n\r\n`, 'ERR_FCGI_HEAD_TOO_LARGE'],
    ['no blank line before END_REQUEST', 'Content-Type: text/plain\r\nbody without a head end', 'ERR_FCGI_HEAD_INCOMPLETE'],
    ['an invalid Status', 'Status: 2000 Huge\r\n\r\n', 'ERR_FCGI_INVALID_STATUS'],
    ['a Status below 100', 'Status: 099\r\n\r\n', 'ERR_FCGI_INVALID_STATUS'],
    ['a duplicate Status', 'Status: 200 OK\r\nStatus: 302 Found\r\nLocation: /evil\r\n\r\n', 'ERR_FCGI_INVALID_STATUS'],
    ['a header line without a colon', 'Content-Type text/plain\r\n\r\n', 'ERR_FCGI_INVALID_HEADER'],
    ['a NUL in a header name', 'X-A\0B: c\r\n\r\n', 'ERR_FCGI_INVALID_HEADER'],
  ];
  for (const [name, head, code] of heads) {
    it(`${name}: ${code}`, async () => {
      expect(await outcome(({ requestId }) => ({ bytes: concatBytes([stdout(requestId, head), end(requestId)]) }))).toBe(code);
    });
  }

  it('a head that never ends and never closes: ERR_FCGI_HEADERS_TIMEOUT, no hang', async () => {
    expect(await outcome(({ requestId }) => ({ bytes: stdout(requestId, 'X-A: b\r\n') }), { headersTimeout: 300 })).toBe('ERR_FCGI_HEADERS_TIMEOUT');
  });
});

describe('client: NUL, CR and LF', () => {
  it('sends params with NUL, CR and LF byte-exact (values are opaque bytes)', async () => {
    const app = await startScriptedApp(({ requestId }) => ({ bytes: phpFpmResponse('Content-Type: text/plain', 'ok', '', requestId) }));
    const evil = 'a\r\nHTTP_X: injected\0b';
    expect(await settle(client(app.address), { REQUEST_METHOD: 'GET', HTTP_X_EVIL: evil })).toBe('200 ok');
    expect(app.requests[0]?.params.get('HTTP_X_EVIL')).toBe(evil);
    expect(app.requests[0]?.params.has('HTTP_X')).toBe(false);
  });

  it('passes STDERR with NUL, CR and LF as raw bytes on response.stderr (the gateway escapes them for logs)', async () => {
    const app = await startScriptedApp(({ requestId }) => ({ bytes: phpFpmResponse('Content-Type: text/plain', 'ok', 'line\r\nFAKE LOG LINE\0', requestId) }));
    const response = await client(app.address).request({ params: { REQUEST_METHOD: 'GET' } });
    const chunks: Buffer[] = [];
    response.body.resume();
    for await (const chunk of response.stderr) chunks.push(chunk as Buffer);
    await response.done;
    expect(Buffer.concat(chunks).toString('latin1')).toBe('line\r\nFAKE LOG LINE\0');
  });
});

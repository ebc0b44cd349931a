import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FcgiRecord, concatBytes, encodeParams, encodeRecord } from '@fcgi/codec';
import { formatRecords } from '@fcgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureIo } from './support/io.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const allBytes = Uint8Array.from({ length: 256 }, (_, index) => index);

const records: FcgiRecord[] = [
  { type: 9, requestId: 0, pairs: [['FCGI_MPXS_CONNS', '']] },
  { type: 10, requestId: 0, pairs: [['FCGI_MPXS_CONNS', '1']] },
  { type: 1, requestId: 1, role: 1, keepConn: true },
  { type: 4, requestId: 1, content: encodeParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '256' }) },
  { type: 4, requestId: 1, content: new Uint8Array(0) },
  { type: 5, requestId: 1, content: allBytes },
  { type: 5, requestId: 1, content: new Uint8Array(0) },
  { type: 7, requestId: 1, content: text('d\u00e9j\u00e0 vu') },
  { type: 6, requestId: 1, content: text('Status: 201 Created\r\n\r\n') },
  { type: 6, requestId: 1, content: new Uint8Array(0) },
  { type: 3, requestId: 1, appStatus: 3, protocolStatus: 0 },
  { type: 11, requestId: 0, unknownType: 99 },
  { type: 'unknown', rawType: 99, requestId: 0, content: new Uint8Array([0xff]) },
];
const capture = concatBytes(records.map((record) => encodeRecord(record)));
const expectedText = `${formatRecords(capture)}\n`;

let directory = '';
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'fcgi-decode-'));
  writeFileSync(join(directory, 'capture.bin'), capture);
  writeFileSync(join(directory, 'cut.bin'), capture.subarray(0, capture.length - 3));
  writeFileSync(join(directory, 'empty.bin'), new Uint8Array(0));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function decode(argv: string[], stdin?: readonly Uint8Array[], stdinIsTTY = false): Promise<{ status: number; stdout: string; stderr: string }> {
  const captured = captureIo({ cwd: directory, stdinIsTTY, ...(stdin === undefined ? {} : { stdin }) });
  const status = await main(['decode', ...argv], captured.io);
  return { status, stdout: captured.stdout(), stderr: captured.stderr() };
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}

describe('fcgi decode (text)', () => {
  it('prints exactly one line per record of a file, the harness transcript, and nothing else', async () => {
    const result = await decode(['capture.bin']);
    expect(result).toEqual({ status: 0, stdout: expectedText, stderr: '' });
    expect(result.stdout.split('\n')).toHaveLength(records.length + 1);
    expect(result.stdout).toContain('STDIN             id=1 len=256 pad=0  "\\x00\\x01');
    expect(result.stdout).toContain('END_REQUEST       id=1 len=8 pad=0  appStatus=3 protocolStatus=REQUEST_COMPLETE');
  });

  it('reads an absolute path too', async () => {
    expect((await decode([join(directory, 'capture.bin')])).stdout).toBe(expectedText);
  });

  it.each([1, 7, 100, 4096])('reads standard input with "-" in %i-byte chunks, binary-safe', async (size) => {
    expect(await decode(['-'], chunks(capture, size))).toEqual({ status: 0, stdout: expectedText, stderr: '' });
  });

  it('reads piped standard input when FILE is left out', async () => {
    expect(await decode([], [capture])).toEqual({ status: 0, stdout: expectedText, stderr: '' });
  });

  it('refuses to wait on a terminal when no FILE is given', async () => {
    const result = await decode([], [], true);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("fcgi decode: no capture to read: give a FILE, or pipe one into 'fcgi decode -' (see 'fcgi decode --help')\n");
  });

  it('prints nothing for an empty capture', async () => {
    expect(await decode(['empty.bin'])).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('prints the records before a truncation, then one error line on stderr, exit 8', async () => {
    const result = await decode(['cut.bin']);
    const lines = expectedText.split('\n');
    expect(result.stdout).toBe(`${lines.slice(0, records.length - 1).join('\n')}\n`);
    const lastOffset = capture.length - encodeRecord(records.at(-1)!).length;
    expect(result.stderr).toBe(`fcgi decode: ERR_FCGI_TRUNCATED_RECORD at byte ${lastOffset}: Input ended inside UNKNOWN(99) record (request id 0, 13 of 16 bytes)\n`);
    expect(result.status).toBe(8);
  });

  it('stops at bytes that are not FastCGI with exit 8', async () => {
    const garbage = concatBytes([capture.subarray(0, 32), text('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n')]);
    const result = await decode(['-'], chunks(garbage, 5));
    expect(result.stdout).toBe(`${expectedText.split('\n')[0]!}\n`);
    expect(result.stderr).toBe('fcgi decode: ERR_FCGI_INVALID_VERSION at byte 32: Unsupported FastCGI version 72 (expected 1)\n');
    expect(result.status).toBe(8);
  });

  it('decodes a long capture streamed in small chunks', async () => {
    const many = concatBytes(Array.from({ length: 3000 }, (_, index) => encodeRecord({ type: 6, requestId: (index % 7) + 1, content: text(`chunk ${index}`) })));
    const result = await decode(['-'], chunks(many, 1000));
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toMatch(/^STDOUT +id=4 len=10 pad=6 {2}"chunk 2999"$/);
  });

  it('reports a file it cannot read with exit 26', async () => {
    expect(await decode(['.'])).toEqual({ status: 26, stdout: '', stderr: "fcgi decode: cannot read '.': it is a directory\n" });
  });
});

describe('fcgi decode --json', () => {
  type Json = Record<string, unknown>;
  const parse = (stdout: string): Json[] => JSON.parse(stdout) as Json[];

  it('prints one JSON array with one object per record', async () => {
    const result = await decode(['capture.bin', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const decoded = parse(result.stdout);
    expect(decoded).toHaveLength(records.length);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(records.length + 2);
    expect(decoded[0]).toEqual({ offset: 0, type: 'GET_VALUES', typeValue: 9, requestId: 0, contentLength: 17, paddingLength: 7, pairs: [{ name: 'FCGI_MPXS_CONNS', value: '' }] });
    expect(decoded[2]).toMatchObject({ type: 'BEGIN_REQUEST', role: 'RESPONDER', roleValue: 1, keepConn: true, flags: 1, contentLength: 8, paddingLength: 0 });
    expect(decoded[3]).toMatchObject({ type: 'PARAMS', pairs: [{ name: 'REQUEST_METHOD', value: 'POST' }, { name: 'CONTENT_LENGTH', value: '256' }], endOfStream: false });
    expect(decoded[4]).toMatchObject({ type: 'PARAMS', pairs: [], paramsTotal: 2, endOfStream: true, content: '' });
    expect(decoded[10]).toMatchObject({ type: 'END_REQUEST', appStatus: 3, protocolStatus: 'REQUEST_COMPLETE', protocolStatusValue: 0 });
    expect(decoded[11]).toMatchObject({ type: 'UNKNOWN_TYPE', unknownType: 99 });
    expect(decoded[12]).toEqual({ offset: capture.length - 16, type: 'UNKNOWN(99)', typeValue: 99, requestId: 0, contentLength: 1, paddingLength: 7, content: '/w==' });
  });

  it('gives stream content losslessly as base64, and as text when it is UTF-8', async () => {
    const decoded = parse((await decode(['capture.bin', '--json'])).stdout);
    expect(Buffer.from(decoded[5]!.content as string, 'base64')).toEqual(Buffer.from(allBytes));
    expect(decoded[5]).not.toHaveProperty('text');
    expect(decoded[7]).toMatchObject({ type: 'STDERR', text: 'd\u00e9j\u00e0 vu', endOfStream: false });
    expect(decoded[9]).toMatchObject({ type: 'STDOUT', text: '', endOfStream: true });
  });

  it('prints [] for an empty capture', async () => {
    expect(await decode(['empty.bin', '--json'])).toEqual({ status: 0, stdout: '[]\n', stderr: '' });
  });

  it('still prints a valid array of the records before a problem, and exits 8', async () => {
    const result = await decode(['cut.bin', '--json']);
    expect(result.status).toBe(8);
    expect(parse(result.stdout)).toHaveLength(records.length - 1);
    expect(result.stderr).toMatch(/^fcgi decode: ERR_FCGI_TRUNCATED_RECORD at byte \d+: .+\n$/);
  });

  it('prints [] and exits 8 for a capture that is not FastCGI at all', async () => {
    const result = await decode(['-', '--json'], [text('GET / HTTP/1.1\r\n\r\n')]);
    expect(result).toEqual({ status: 8, stdout: '[]\n', stderr: 'fcgi decode: ERR_FCGI_INVALID_VERSION at byte 0: Unsupported FastCGI version 71 (expected 1)\n' });
  });
});

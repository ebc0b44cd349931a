/**
 * Live: curl -> nginx -> a recording proxy (node:net + the codec) -> php-fpm. The proxy
 * decodes every record both ways; the reassembled streams must match what curl sent and
 * received. Skipped with the reason when a peer is missing, unless FCGI_REQUIRE_PEERS=1.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CgiHeadParser,
  type CgiHeadResult,
  type FcgiRecord,
  type NameValuePair,
  ParamsDecoder,
  ProtocolStatus,
  RecordType,
  Role,
  concatBytes,
} from '../src/index.js';
import { pseudoRandomBytes, sameBytes } from './support/helpers.js';
import { type NginxPhp, startNginxPhp } from './support/nginx-php.js';
import { findBinary } from './support/processes.js';
import { type ConnectionRecording, type RecordingProxy, startRecordingProxy } from './support/recording-proxy.js';

const run = promisify(execFile);
const binaries = { nginx: findBinary('nginx'), phpFpm: findBinary('php-fpm8.2', 'php-fpm'), curl: findBinary('curl') };
const missing = Object.entries(binaries).filter(([, path]) => path === undefined).map(([name]) => name);
const peersRequired = process.env.FCGI_REQUIRE_PEERS === '1';

const largeBody = pseudoRandomBytes(3 * 1024 * 1024, 31);
const postBody = pseudoRandomBytes(100 * 1024, 77);

const scripts = {
  'get.php': `<?php
http_response_code(201);
header('Content-Type: text/plain');
header('X-Query: ' . $_SERVER['QUERY_STRING']);
header('Set-Cookie: a=1', false);
header('Set-Cookie: b=2', false);
echo "method=", $_SERVER['REQUEST_METHOD'], "\\nquery=", $_SERVER['QUERY_STRING'], "\\n";
`,
  'echo.php': `<?php
header('Content-Type: application/octet-stream');
echo file_get_contents('php://input');
`,
  'large.php': `<?php
header('Content-Type: application/octet-stream');
readfile(__DIR__ . '/large.bin');
`,
  'large.bin': largeBody,
};

/** One request as seen by the proxy, reassembled. */
interface Exchange {
  begin: FcgiRecord;
  params: Map<string, string>;
  stdin: Uint8Array;
  stdinRecords: Extract<FcgiRecord, { type: 5 }>[];
  stdoutRecords: Extract<FcgiRecord, { type: 6 }>[];
  head: CgiHeadResult;
  body: Uint8Array;
  end: FcgiRecord;
}

function reassemble(recording: ConnectionRecording): Exchange {
  const [begin, ...rest] = recording.toApp;
  const paramsDecoder = new ParamsDecoder();
  const pairs: NameValuePair[] = [];
  for (const record of rest.filter((item) => item.type === RecordType.Params)) {
    if (record.content.length === 0) paramsDecoder.end();
    else pairs.push(...paramsDecoder.push(record.content));
  }
  const stdinRecords = rest.filter((record) => record.type === RecordType.Stdin);
  const stdoutRecords = recording.toServer.filter((record) => record.type === RecordType.Stdout);
  const parser = new CgiHeadParser();
  let head: CgiHeadResult | undefined;
  const bodyPieces: Uint8Array[] = [];
  for (const record of stdoutRecords) {
    if (head !== undefined) bodyPieces.push(record.content);
    else if ((head = parser.push(record.content)) !== undefined) bodyPieces.push(head.rest);
  }
  if (head === undefined) throw new Error('STDOUT carried no complete CGI head');
  return {
    begin: begin!,
    params: new Map(pairs.map((pair) => [pair.name, pair.value])),
    stdin: concatBytes(stdinRecords.map((record) => record.content)),
    stdinRecords,
    stdoutRecords,
    head,
    body: concatBytes(bodyPieces),
    end: recording.toServer.at(-1)!,
  };
}

if (missing.length > 0 && peersRequired) {
  describe('nginx -> recording proxy -> php-fpm (FCGI_REQUIRE_PEERS=1)', () => {
    it('has every peer it needs installed', () => {
      expect(missing).toEqual([]);
    });
  });
}

describe.skipIf(missing.length > 0)(`nginx -> recording proxy -> php-fpm${missing.length > 0 ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  let peers: NginxPhp | undefined;
  let proxy: RecordingProxy | undefined;

  beforeAll(async () => {
    peers = await startNginxPhp({ nginx: binaries.nginx!, phpFpm: binaries.phpFpm! }, scripts, async (fpmPort) => {
      proxy = await startRecordingProxy(fpmPort);
      return proxy.port;
    });
  });

  afterAll(async () => {
    await peers?.stop();
    await proxy?.close();
  });

  /** Runs curl; returns the status, the raw response head and the body as received. */
  async function curl(path: string, body?: Uint8Array): Promise<{ status: number; headers: string; body: Uint8Array }> {
    const directory = peers!.runDirectory;
    const args = ['-sS', '--max-time', '30', '-o', join(directory, 'curl-body'), '-D', join(directory, 'curl-head'), '-w', '%{http_code}'];
    if (body !== undefined) {
      await writeFile(join(directory, 'curl-request'), body);
      args.push('--data-binary', `@${join(directory, 'curl-request')}`, '-H', 'Content-Type: application/octet-stream', '-H', 'Expect:');
    }
    const { stdout } = await run(binaries.curl!, [...args, `http://127.0.0.1:${peers!.httpPort}${path}`], { timeout: 40_000 });
    return { status: Number(stdout), headers: await readFile(join(directory, 'curl-head'), 'latin1'), body: new Uint8Array(await readFile(join(directory, 'curl-body'))) };
  }

  /** The recorded exchange of the request for `uri`, once its connection has closed cleanly. */
  async function exchangeFor(uri: string): Promise<Exchange> {
    const recording = proxy!.connections.find((connection) => reassembleParams(connection).get('REQUEST_URI') === uri);
    if (recording === undefined) throw new Error(`no proxied connection carried REQUEST_URI ${uri}`);
    await Promise.race([recording.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('connection did not close')), 10_000))]);
    expect(recording.errors).toEqual([]);
    return reassemble(recording);
  }

  function reassembleParams(recording: ConnectionRecording): Map<string, string> {
    const decoder = new ParamsDecoder();
    const pairs = recording.toApp.filter((record) => record.type === RecordType.Params).flatMap((record) => decoder.push(record.content));
    return new Map(pairs.map((pair) => [pair.name, pair.value]));
  }

  function expectWellFormed(exchange: Exchange, curlResult: { status: number; body: Uint8Array }): void {
    expect(exchange.begin).toMatchObject({ type: RecordType.BeginRequest, requestId: 1, role: Role.Responder });
    expect(exchange.stdinRecords.at(-1)?.content.length).toBe(0);
    expect(exchange.end).toMatchObject({ type: RecordType.EndRequest, requestId: 1, appStatus: 0, protocolStatus: ProtocolStatus.RequestComplete });
    expect(exchange.stdoutRecords.every((record) => record.requestId === 1 && record.content.length <= 65535)).toBe(true);
    expect(exchange.head.head.status).toBe(curlResult.status);
    expect(exchange.body.length).toBe(curlResult.body.length);
    expect(sameBytes(exchange.body, curlResult.body)).toBe(true);
  }

  it('decodes every record of a GET, and the streams match what curl got', async () => {
    const response = await curl('/get.php?x=1&y=%C3%A9');
    const exchange = await exchangeFor('/get.php?x=1&y=%C3%A9');
    expectWellFormed(exchange, response);
    expect(response.status).toBe(201);
    expect(exchange.params.get('REQUEST_METHOD')).toBe('GET');
    expect(exchange.params.get('QUERY_STRING')).toBe('x=1&y=%C3%A9');
    expect(exchange.params.get('SCRIPT_FILENAME')).toBe(join(peers!.documentRoot, 'get.php'));
    expect(exchange.stdin.length).toBe(0);
    expect(exchange.head.head.headers.filter(([name]) => name === 'Set-Cookie')).toEqual([['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
    expect(exchange.head.head.headers).toContainEqual(['X-Query', 'x=1&y=%C3%A9']);
    expect(response.headers).toMatch(/^Set-Cookie: a=1\r$/m);
    expect(response.headers).toMatch(/^Set-Cookie: b=2\r$/m);
    expect(new TextDecoder().decode(response.body)).toBe('method=GET\nquery=x=1&y=%C3%A9\n');
  });

  it('decodes every record of a 100 KB POST: STDIN is exactly what curl sent', async () => {
    const response = await curl('/echo.php?post', postBody);
    const exchange = await exchangeFor('/echo.php?post');
    expectWellFormed(exchange, response);
    expect(exchange.params.get('REQUEST_METHOD')).toBe('POST');
    expect(exchange.params.get('CONTENT_LENGTH')).toBe(String(postBody.length));
    expect(exchange.stdinRecords.length).toBeGreaterThan(2);
    expect(sameBytes(exchange.stdin, postBody)).toBe(true);
    expect(sameBytes(response.body, postBody)).toBe(true);
  });

  it('decodes every record of a 3 MB response: STDOUT after the head is exactly what curl received', async () => {
    const response = await curl('/large.php');
    const exchange = await exchangeFor('/large.php');
    expectWellFormed(exchange, response);
    expect(exchange.stdoutRecords.length).toBeGreaterThanOrEqual(Math.ceil(largeBody.length / 65535));
    expect(sameBytes(response.body, largeBody)).toBe(true);
  });
});

/**
 * The codec against real traffic: a recording proxy between real nginx and real php-fpm
 * decodes every record of a GET, a 100 KB POST and a 3 MB response, and the reassembled
 * streams must equal what curl sent and received, byte for byte.
 *
 * Seen here (nginx 1.22.1, php-fpm 8.2.36) and asserted where stable: nginx uses request id
 * 1 and no KEEP_CONN, sends PARAMS ended by one empty record, then STDIN (the 100 KB body
 * in 32 KiB records from its temp file) ended by one empty record; php-fpm ends with END_REQUEST and
 * never sends an empty STDOUT or STDERR record; flush() then error_log() gives STDOUT,
 * STDERR, STDOUT; php-fpm's STDOUT records carry at most 65528 bytes (not asserted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FcgiRecord, ProtocolStatus, RecordType, Role } from '@fcgi/codec';
import {
  type HttpPeer,
  type PhpFpmPeer,
  curl,
  nginxFastcgiLocation,
  requirePeers,
  startNginx,
  startPhpFpm,
  writeRunFile,
} from '@fcgi/test-peers';
import { type RecordedConnection, type RecordingProxy, startRecordingProxy } from './live/recording-proxy.js';
import { compareBytes, decodeParamsStream, joinStream, pseudoRandomBytes, splitStdout, streamRecords, typeSequence } from './live/streams.js';

const peers = requirePeers('nginx', 'php-fpm', 'curl');

const scripts = {
  'get.php': '<?php header("Content-Type: text/plain"); echo "first line\\n"; flush(); error_log("live-proxy stderr"); echo "second line\\n";',
  'echo.php': '<?php header("Content-Type: application/octet-stream"); echo file_get_contents("php://input");',
  'large.php': '<?php header("Content-Type: application/octet-stream"); readfile(__DIR__ . "/large.bin");',
};
const postBody = pseudoRandomBytes(100 * 1024, 0x5eed);
const largeBody = pseudoRandomBytes(3 * 1024 * 1024, 0xb16);

describe.skipIf(!peers.available)(peers.title('codec on live nginx <-> php-fpm traffic'), () => {
  let php: PhpFpmPeer | undefined;
  let proxy: RecordingProxy | undefined;
  let nginx: HttpPeer | undefined;

  beforeAll(async () => {
    php = await startPhpFpm({ listen: 'unix', maxChildren: 2 });
    for (const [name, source] of Object.entries(scripts)) await writeRunFile(php.documentRoot, name, source);
    await writeRunFile(php.documentRoot, 'large.bin', largeBody);
    proxy = await startRecordingProxy({ path: php.socketPath! });
    const location = nginxFastcgiLocation({ pass: `127.0.0.1:${proxy.port}` });
    nginx = await startNginx({ server: `root ${php.documentRoot};\nclient_max_body_size 10m;\n${location}` });
  });

  afterAll(async () => {
    await nginx?.stop();
    await proxy?.close();
    await php?.stop();
  });

  /** Runs one curl request and returns the proxied connection it caused, once closed. */
  async function request(path: string, body?: Uint8Array): Promise<{ response: Awaited<ReturnType<typeof curl>>; connection: RecordedConnection }> {
    const before = proxy!.connections.length;
    const response = await curl(`${nginx!.url}${path}`, body === undefined ? {} : { body });
    expect(response.exitCode, `${response.stderr}\n${nginx!.logs()}\n${php!.logs()}`).toBe(0);
    const connections = await proxy!.waitForConnections(before + 1);
    expect(proxy!.connections).toHaveLength(before + 1);
    return { response, connection: connections[before]! };
  }

  it('decodes a GET: params as nginx sent them, STDERR interleaved with STDOUT', async () => {
    const { response, connection } = await request('/get.php?a=1&b=two');
    expectCleanTranscript(connection);
    expect(decodeParamsStream(connection.toApplication.records)).toMatchObject({
      REQUEST_METHOD: 'GET',
      SCRIPT_FILENAME: `${php!.documentRoot}/get.php`,
      SCRIPT_NAME: '/get.php',
      QUERY_STRING: 'a=1&b=two',
      REQUEST_URI: '/get.php?a=1&b=two',
      CONTENT_LENGTH: '',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      SERVER_ADDR: '127.0.0.1',
      SERVER_PORT: String(nginx!.port),
      REMOTE_ADDR: '127.0.0.2',
    });
    expect(streamRecords(connection.toApplication.records, RecordType.Stdin)).toEqual([new Uint8Array(0)]);
    const { head, body } = splitStdout(connection.toWebServer.records);
    expect(head.status).toBe(response.status);
    expect(head.headers).toContainEqual(['Content-type', 'text/plain;charset=UTF-8']);
    expect(body.toString()).toBe('first line\nsecond line\n');
    expect(compareBytes(body, response.body)).toBe('equal');
    // flush() sends the first line before error_log() writes its STDERR record.
    expect(typeSequence(connection.toWebServer.records)).toEqual(['STDOUT', 'STDERR', 'STDOUT', 'END_REQUEST']);
    expect(joinStream(connection.toWebServer.records, RecordType.Stderr).toString()).toBe('PHP message: live-proxy stderr');
  });

  it('decodes a 100 KB POST: STDIN equals the bytes curl sent', async () => {
    const { response, connection } = await request('/echo.php', postBody);
    expectCleanTranscript(connection);
    expect(decodeParamsStream(connection.toApplication.records)).toMatchObject({
      REQUEST_METHOD: 'POST',
      SCRIPT_FILENAME: `${php!.documentRoot}/echo.php`,
      CONTENT_LENGTH: String(postBody.length),
      CONTENT_TYPE: 'application/octet-stream',
    });
    const stdin = streamRecords(connection.toApplication.records, RecordType.Stdin);
    expect(stdin.length).toBeGreaterThan(2);
    expect(compareBytes(joinStream(connection.toApplication.records, RecordType.Stdin), postBody)).toBe('equal');
    const { head, body } = splitStdout(connection.toWebServer.records);
    expect(head.status).toBe(200);
    expect(compareBytes(body, response.body)).toBe('equal');
    expect(compareBytes(body, postBody)).toBe('equal');
    expect(streamRecords(connection.toWebServer.records, RecordType.Stderr)).toEqual([]);
  });

  it('decodes a 3 MB response: STDOUT equals the body curl received', async () => {
    const { response, connection } = await request('/large.php');
    expectCleanTranscript(connection);
    expect(decodeParamsStream(connection.toApplication.records)).toMatchObject({ REQUEST_METHOD: 'GET', SCRIPT_FILENAME: `${php!.documentRoot}/large.php` });
    // At most 65535 bytes per record: the body needs at least 49 STDOUT records, read in many socket chunks.
    expect(streamRecords(connection.toWebServer.records, RecordType.Stdout).length).toBeGreaterThanOrEqual(49);
    expect(connection.toWebServer.chunks).toBeGreaterThan(1);
    const { head, body } = splitStdout(connection.toWebServer.records);
    expect(head.status).toBe(200);
    expect(head.headers).toContainEqual(['Content-Type', 'application/octet-stream']);
    expect(compareBytes(body, response.body)).toBe('equal');
    expect(compareBytes(body, largeBody)).toBe('equal');
  });
});

/** What holds for every nginx -> php-fpm connection seen here. */
function expectCleanTranscript(connection: RecordedConnection): void {
  for (const direction of [connection.toApplication, connection.toWebServer]) {
    expect(direction.error).toBeUndefined();
    expect(direction.endedCleanly).toBe(true);
  }
  expect(connection.socketErrors).toEqual([]);
  const toApplication = connection.toApplication.records;
  const toWebServer = connection.toWebServer.records;
  // nginx: request id 1 only, no keep-alive without fastcgi_keep_conn.
  expect(toApplication[0]).toEqual({ type: RecordType.BeginRequest, requestId: 1, role: Role.Responder, keepConn: false, flags: 0 });
  expect([...toApplication, ...toWebServer].every((record) => record.requestId === 1)).toBe(true);
  expect(typeSequence(toApplication)).toEqual(['BEGIN_REQUEST', 'PARAMS', 'STDIN']);
  expectOneTerminator(streamRecords(toApplication, RecordType.Params));
  expectOneTerminator(streamRecords(toApplication, RecordType.Stdin));
  expect(toWebServer.at(-1)).toEqual({ type: RecordType.EndRequest, requestId: 1, appStatus: 0, protocolStatus: ProtocolStatus.RequestComplete });
  expect(toWebServer.filter((record: FcgiRecord) => record.type === RecordType.EndRequest)).toHaveLength(1);
  // php-fpm sends no empty STDOUT (or STDERR) record: END_REQUEST alone ends its streams.
  const emptyOutput = [...streamRecords(toWebServer, RecordType.Stdout), ...streamRecords(toWebServer, RecordType.Stderr)].filter((content) => content.length === 0);
  expect(emptyOutput).toEqual([]);
}

/** The stream ends with exactly one empty record, its last. */
function expectOneTerminator(contents: readonly Uint8Array[]): void {
  expect(contents.length).toBeGreaterThan(0);
  expect(contents.at(-1)!.length).toBe(0);
  expect(contents.filter((content) => content.length === 0)).toHaveLength(1);
}

/**
 * A FastCGI app on @fcgi/server standing in for php-fpm in unit tests: it answers by
 * SCRIPT_NAME, reports the params it got and the body's length and hash, and counts
 * requests.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FastCgiServer, createServer } from '@fcgi/server';

export interface RecordingBackend {
  address: string;
  documentRoot: string;
  requests: number;
  close: () => Promise<void>;
}

const reported = ['SCRIPT_NAME', 'SCRIPT_FILENAME', 'PATH_INFO', 'REQUEST_URI', 'QUERY_STRING', 'REQUEST_METHOD', 'CONTENT_LENGTH', 'CONTENT_TYPE', 'DOCUMENT_ROOT', 'REMOTE_ADDR', 'HTTP_PROXY', 'HTTP_X_CUSTOM'];

/** Starts the app and a document root with index.php, upload.php, cookies.php, gone.php, style.css. */
export async function startRecordingBackend(): Promise<RecordingBackend> {
  const documentRoot = mkdtempSync(join(tmpdir(), 'fcgi-root-'));
  for (const name of ['index.php', 'upload.php', 'cookies.php', 'gone.php', 'stream.php']) writeFileSync(join(documentRoot, name), '<?php // stand-in');
  writeFileSync(join(documentRoot, 'style.css'), 'body { color: red }\n');
  const state = { requests: 0 };
  const server: FastCgiServer = createServer(async (req, res) => {
    state.requests++;
    const params = req.fastcgi.params;
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of req) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    switch (params.SCRIPT_NAME) {
      case '/gone.php':
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('php says not found\n');
        return;
      case '/cookies.php':
        res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
        res.writeHead(302, { Location: '/welcome' }).end();
        return;
      case '/stream.php':
        res.setHeader('Content-Type', 'text/plain');
        for (let index = 0; index < 3; index++) {
          res.write(`part-${index}\n`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        res.end();
        return;
    }
    const seen = Object.fromEntries(reported.filter((name) => params[name] !== undefined).map((name) => [name, params[name]]));
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Backend', 'recording');
    res.end(JSON.stringify({ params: seen, length, sha256: hash.digest('hex') }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1').once('listening', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    documentRoot,
    get requests() {
      return state.requests;
    },
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      rmSync(documentRoot, { recursive: true, force: true });
    },
  };
}

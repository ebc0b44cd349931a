// The web server's side of a Filter request, done with @fcgi/client: the usual params, an
// empty STDIN (a GET), then the file as the DATA stream with its length and modification
// time. No common web server sends the Filter role, so this is how you drive one.
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Client } from '@fcgi/client';

/** Reads a Node stream to the end as one Buffer. */
async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Sends `file` to the filter app at `address` and returns its whole answer.
 *
 * @example
 * const answer = await sendFileToFilter('127.0.0.1:9100', 'sample/prices.csv');
 * answer.status;        // 200
 * answer.body.toString(); // '<!doctype html>...'
 * @param {string} address `host:port` or `unix:/path` of the filter app
 * @param {string} file the file to filter
 * @param {{ client?: Client }} [options] a client to reuse (default: one for this request)
 */
export async function sendFileToFilter(address, file, options = {}) {
  const path = resolve(file);
  const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
  const client = options.client ?? new Client({ address });
  try {
    const response = await client.request({
      role: 'filter',
      params: {
        GATEWAY_INTERFACE: 'CGI/1.1',
        SERVER_PROTOCOL: 'HTTP/1.1',
        REQUEST_METHOD: 'GET',
        REQUEST_URI: `/${basename(path)}`,
        SCRIPT_NAME: `/${basename(path)}`,
        SCRIPT_FILENAME: path,
      },
      body: '',
      data: bytes, // FCGI_DATA_LENGTH is set from its length
      dataLastModified: info.mtime, // FCGI_DATA_LAST_MOD
    });
    const [body, stderr, end] = await Promise.all([readAll(response.body), readAll(response.stderr), response.done]);
    return { status: response.status, headers: response.headers, body, stderr: stderr.toString('utf8'), end, sentBytes: bytes.length, lastModified: info.mtime };
  } finally {
    if (options.client === undefined) await client.close();
  }
}

// The FastCGI Filter app: the web server sends the request as usual (params, STDIN) and then
// the file to filter as the DATA stream; the app answers with the transformed file. Here the
// file is CSV and the answer an HTML table, written row by row as the data arrives.
import { once } from 'node:events';
import { basename } from 'node:path';
import { createServer } from '@fcgi/server';
import { CsvParser } from './csv.js';
import { pageEnd, pageStart, tableRow } from './html.js';

/** Counts the bytes of a stream (the filter's STDIN: the HTTP request body, empty for a GET). */
async function countBytes(stream) {
  let total = 0;
  for await (const chunk of stream) total += chunk.length;
  return total;
}

/** Writes with backpressure: waits for 'drain' when the web server reads slower than we write. */
async function write(response, text) {
  if (!response.write(text)) await once(response, 'drain');
}

function refuseOtherRoles(response, role) {
  const text = `This app is a FastCGI Filter: send it role FILTER with the file as the DATA stream (got ${role}).\n`;
  response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

/** The head: what the filter learnt from the params before reading the data. */
function writeHead(response, params, stdinBytes) {
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  const lastModified = Number(params.FCGI_DATA_LAST_MOD ?? 0);
  if (lastModified > 0) response.setHeader('Last-Modified', new Date(lastModified * 1000).toUTCString());
  response.setHeader('X-Filter-Data-Length', params.FCGI_DATA_LENGTH ?? 'unknown');
  response.setHeader('X-Filter-Stdin-Bytes', String(stdinBytes));
}

/** Streams the DATA through the CSV parser into table rows; returns the counts. */
async function convertRows(data, response) {
  const parser = new CsvParser();
  const decoder = new TextDecoder(); // `stream: true` keeps a UTF-8 character cut between records whole
  let bytes = 0;
  let rows = 0;
  const writeRows = async (completed) => {
    for (const cells of completed) await write(response, tableRow(cells, rows++ === 0));
  };
  for await (const chunk of data) {
    bytes += chunk.length;
    await writeRows(parser.push(decoder.decode(chunk, { stream: true })));
  }
  await writeRows([...parser.push(decoder.decode()), ...parser.end()]);
  return { bytes, rows };
}

/**
 * The node:http-style listener of the filter: CSV in (DATA), HTML out (STDOUT). Reads
 * FCGI_DATA_LENGTH (checked against the bytes received) and FCGI_DATA_LAST_MOD (sent back
 * as Last-Modified).
 *
 * @example
 * import { createServer } from '@fcgi/server';
 * createServer(csvToHtml).listen(9100, '127.0.0.1');
 * @param {import('@fcgi/server').FastCgiIncomingMessage} request
 * @param {import('@fcgi/server').FastCgiServerResponse} response
 */
export async function csvToHtml(request, response) {
  const { role, params, data } = request.fastcgi;
  if (role !== 'filter' || data === undefined) {
    request.resume();
    refuseOtherRoles(response, role);
    return;
  }
  const stdinBytes = await countBytes(request);
  writeHead(response, params, stdinBytes);
  const title = basename(params.PATH_TRANSLATED || params.SCRIPT_FILENAME || params.SCRIPT_NAME || 'data.csv');
  await write(response, pageStart(title));
  const { bytes, rows } = await convertRows(data, response);
  const declared = params.FCGI_DATA_LENGTH;
  if (declared !== undefined && Number(declared) !== bytes) {
    // The web server promised another length: tell its error log and mark the request failed.
    response.writeStderr(`filter: FCGI_DATA_LENGTH was ${declared} but ${bytes} bytes of DATA arrived\n`);
    response.appStatus = 1;
  }
  response.end(pageEnd(`${Math.max(rows - 1, 0)} rows from ${bytes} bytes of DATA (FCGI_DATA_LENGTH ${declared ?? 'not sent'})`));
}

/**
 * A FastCGI server running {@link csvToHtml}; call `listen()` on it.
 *
 * @example
 * const server = createFilterServer();
 * server.listen(9100, '127.0.0.1');
 */
export function createFilterServer() {
  return createServer(csvToHtml);
}

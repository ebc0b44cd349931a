import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@fcgi/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvParser } from '../src/csv.js';
import { createFilterServer } from '../src/filter-app.js';
import { sendFileToFilter } from '../src/send-file.js';

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));
const sampleFile = fileURLToPath(new URL('../sample/prices.csv', import.meta.url));

async function readAll(stream: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('CsvParser', () => {
  const text = 'a,"b,\r\nc",d\r\n"say ""hi""",é,\n\nlast,row';
  const expected = [['a', 'b,\r\nc', 'd'], ['say "hi"', 'é', ''], ['last', 'row']];

  it('parses quotes, escaped quotes, line breaks inside quotes, and skips blank lines', () => {
    const parser = new CsvParser();
    expect([...parser.push(text), ...parser.end()]).toEqual(expected);
  });

  it('gives the same rows whatever the text is cut into', () => {
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new CsvParser();
      expect([...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.end()]).toEqual(expected);
    }
  });
});

describe('the CSV-to-HTML Filter app, driven by @fcgi/client in the Filter role', () => {
  const server = createFilterServer();
  let address = '';
  let client: Client;

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    client = new Client({ address });
  });

  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('turns the sample file into an HTML table and reads FCGI_DATA_LENGTH and FCGI_DATA_LAST_MOD', async () => {
    const answer = await sendFileToFilter(address, sampleFile, { client });
    const { size, mtime } = await stat(sampleFile);
    expect(answer.status).toBe(200);
    expect(answer.end).toEqual({ appStatus: 0, protocolStatus: 0 });
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['x-filter-data-length']).toBe(String(size));
    expect(answer.headers['x-filter-stdin-bytes']).toBe('0');
    expect(answer.headers['last-modified']).toBe(new Date(Math.floor(mtime.getTime() / 1000) * 1000).toUTCString());
    const html = answer.body.toString('utf8');
    expect(html).toContain('<title>prices.csv</title>');
    expect(html).toContain('<tr><th>item</th><th>unit</th><th>price (EUR)</th><th>note</th></tr>');
    expect(html).toContain('<tr><td>Café crème</td><td>cup</td><td>3.40</td><td>with &quot;real&quot; milk</td></tr>');
    expect(html).toContain('<td>two bars<br>of chocolate</td>');
    expect(html).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<footer>5 rows from ${size} bytes of DATA (FCGI_DATA_LENGTH ${size})</footer>`);
  });

  it('streams a file spread over many DATA records, with UTF-8 characters cut between records', async () => {
    const rows = Array.from({ length: 6000 }, (_, index) => `${index},"crème, brûlée ${index}",€${index}`);
    const data = Buffer.from(`id,name,price\n${rows.join('\n')}\n`);
    expect(data.length).toBeGreaterThan(3 * 65535);
    const response = await client.request({ role: 'filter', params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/big.csv' }, body: '', data, dataLastModified: 0 });
    const html = await readAll(response.body);
    expect(response.status).toBe(200);
    expect(response.headers['last-modified']).toBeUndefined(); // FCGI_DATA_LAST_MOD 0: unknown
    expect(html).toContain('<tr><td>5999</td><td>crème, brûlée 5999</td><td>€5999</td></tr>');
    expect(html.match(/<tr><td>/g)).toHaveLength(6000);
    expect(html).toContain(`<footer>6000 rows from ${data.length} bytes of DATA (FCGI_DATA_LENGTH ${data.length})</footer>`);
    expect(html).not.toContain('\ufffd');
  });

  it('keeps UTF-8 characters whole when every DATA record carries one byte', async () => {
    const byteByByte = new Client({ address, maxRecordLength: 1 });
    try {
      const response = await byteByByte.request({ role: 'filter', params: { SCRIPT_NAME: '/euro.csv' }, body: '', data: 'prix,note\n€3,"crème ""brûlée"""\n' });
      expect(await readAll(response.body)).toContain('<tr><td>€3</td><td>crème &quot;brûlée&quot;</td></tr>');
    } finally {
      await byteByByte.close();
    }
  });

  it('reads STDIN (the HTTP body) before the DATA stream', async () => {
    const response = await client.request({ role: 'filter', params: { REQUEST_METHOD: 'POST', SCRIPT_NAME: '/a.csv' }, body: 'form=1', data: 'a,b\n1,2\n' });
    expect(response.headers['x-filter-stdin-bytes']).toBe('6');
    expect(await readAll(response.body)).toContain('<tr><td>1</td><td>2</td></tr>');
  });

  it('reports a DATA stream shorter than FCGI_DATA_LENGTH on STDERR, with application status 1', async () => {
    const response = await client.request({ role: 'filter', params: { SCRIPT_NAME: '/short.csv', FCGI_DATA_LENGTH: '999' }, body: '', data: 'a\n1\n' });
    const [, stderr, end] = await Promise.all([readAll(response.body), readAll(response.stderr), response.done]);
    expect(stderr).toBe('filter: FCGI_DATA_LENGTH was 999 but 4 bytes of DATA arrived\n');
    expect(end.appStatus).toBe(1);
  });

  it('refuses Responder requests with a 400 that says what it expects', async () => {
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/prices.csv' } });
    expect(response.status).toBe(400);
    expect(await readAll(response.body)).toContain('send it role FILTER');
  });
});

describe('pnpm --filter @fcgi/app-filter start', () => {
  it('filters the sample file and prints the HTML', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [mainScript]);
    const size = (await readFile(sampleFile)).length;
    expect(stdout).toMatch(/^# sent .*prices\.csv \(\d+ bytes, modified .*\) to the filter at 127\.0\.0\.1:\d+\n# 200, content-type: text\/html/);
    expect(stdout).toContain('<tr><td>Espresso</td><td>cup</td><td>2.10</td><td></td></tr>');
    expect(stdout).toContain(`FCGI_DATA_LENGTH ${size}`);
  });

  it('keeps the filter app listening with --serve until SIGINT', async () => {
    const child = spawn(process.execPath, [mainScript, '--serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      while (!output.includes('--role filter')) output += (await once(child.stdout, 'data'))[0] as string;
      const address = /listening on (127\.0\.0\.1:\d+)/.exec(output)![1]!;
      const answer = await sendFileToFilter(address, sampleFile);
      expect(answer.status).toBe(200);
      child.kill('SIGINT');
      expect(await once(child, 'exit')).toEqual([0, null]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

// The Filter app tested as a user of @fcgi/harness would: `inject` runs it in-process
// (no socket, no port) in the Filter role, with the file to transform as the DATA stream.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { inject } from '@fcgi/harness';
import { describe, expect, it } from 'vitest';
import { createFilterServer, csvToHtml } from '../src/filter-app.js';

const sampleFile = fileURLToPath(new URL('../sample/prices.csv', import.meta.url));

describe('the CSV-to-HTML Filter app through inject()', () => {
  it('turns the sample file, sent as DATA, into an HTML table', async () => {
    const data = await readFile(sampleFile);
    const result = await inject(csvToHtml, {
      role: 'filter',
      url: '/prices.csv',
      data,
      params: { PATH_TRANSLATED: '/srv/www/prices.csv', FCGI_DATA_LAST_MOD: '1700000000' },
    });
    expect(result.status).toBe(200);
    expect(result.appStatus).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['x-filter-data-length']).toBe(String(data.length));
    expect(result.headers['x-filter-stdin-bytes']).toBe('0');
    expect(result.headers['last-modified']).toBe(new Date(1_700_000_000_000).toUTCString());
    const html = result.text();
    expect(html).toContain('<title>prices.csv</title>');
    expect(html).toContain('<tr><th>item</th><th>unit</th><th>price (EUR)</th><th>note</th></tr>');
    expect(html).toContain('<tr><td>Café crème</td><td>cup</td><td>3.40</td><td>with &quot;real&quot; milk</td></tr>');
    expect(html).toContain('<td>two bars<br>of chocolate</td>');
    expect(html).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<footer>5 rows from ${data.length} bytes of DATA (FCGI_DATA_LENGTH ${data.length})</footer>`);
  });

  it('sends the file as FCGI_DATA records, which the transcript shows byte for byte', async () => {
    const data = Buffer.from('a,b\n1,2\n');
    const result = await inject(csvToHtml, { role: 'filter', url: '/small.csv', data });
    const sent = result.records.filter((record) => record.direction === 'to-app' && record.type === 8);
    expect(Buffer.concat(sent.map((record) => (record as { content: Uint8Array }).content))).toEqual(data);
    expect(result.text()).toContain('<tr><td>1</td><td>2</td></tr>');
  });

  it('streams DATA of unknown length from a file stream, with a request body on STDIN first', async () => {
    const { size } = await stat(sampleFile);
    const result = await inject(createFilterServer(), { role: 'filter', method: 'POST', url: '/prices.csv', body: 'form=1', data: createReadStream(sampleFile) });
    expect(result.status).toBe(200);
    expect(result.headers['x-filter-stdin-bytes']).toBe('6');
    expect(result.headers['x-filter-data-length']).toBe('unknown');
    expect(result.text()).toContain(`<footer>5 rows from ${size} bytes of DATA (FCGI_DATA_LENGTH not sent)</footer>`);
  });

  it('reports DATA shorter than FCGI_DATA_LENGTH on STDERR with application status 1', async () => {
    const result = await inject(csvToHtml, { role: 'filter', url: '/short.csv', data: 'a\n1\n', params: { FCGI_DATA_LENGTH: '999' } });
    expect(result.stderr).toBe('filter: FCGI_DATA_LENGTH was 999 but 4 bytes of DATA arrived\n');
    expect(result.appStatus).toBe(1);
  });

  it('refuses Responder requests with a 400', async () => {
    const result = await inject(csvToHtml, { url: '/prices.csv' });
    expect(result.status).toBe(400);
    expect(result.text()).toBe('This app is a FastCGI Filter: send it role FILTER with the file as the DATA stream (got responder).\n');
  });
});

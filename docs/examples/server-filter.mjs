// A Filter: the web server sends the request body (STDIN) and then the file to filter (DATA,
// req.fastcgi.data), described by FCGI_DATA_LENGTH and FCGI_DATA_LAST_MOD.
import { text } from 'node:stream/consumers';
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer(async (req, res) => {
  if (req.fastcgi.role !== 'filter') return res.writeHead(404).end();
  const stdin = await text(req); // STDIN comes first, in full: read (or discard) it before DATA
  const { FCGI_DATA_LENGTH, FCGI_DATA_LAST_MOD } = req.fastcgi.params;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Last-Modified', new Date(Number(FCGI_DATA_LAST_MOD) * 1000).toUTCString());
  const file = await text(req.fastcgi.data); // a Readable: pipe it for large files
  res.end(`${FCGI_DATA_LENGTH} bytes of file, ${stdin.length} bytes of body\n${file.replaceAll('TODO', 'DONE')}`);
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  // Self-check: send a file as the web server does in the Filter role.
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const response = await client.request({
      role: 'filter',
      params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/notes.txt' },
      body: '',
      data: 'TODO: write docs\nTODO: test them\n',
      dataLastModified: new Date('2026-01-02T03:04:05Z'),
    });
    console.log(response.status, response.headers['last-modified']);
    console.log((await response.body.toArray()).join(''));
    await client.close();
    server.close();
  });
} else {
  server.listen(9000, '127.0.0.1');
}

// node:http's req and res over FastCGI: method, url and headers come from the params, the
// body from STDIN, req.socket.remoteAddress from REMOTE_ADDR; res writes a CGI response.
import { createHash } from 'node:crypto';
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer(async (req, res) => {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of req) {
    hash.update(chunk);
    size += chunk.length;
  }
  res.setHeader('Set-Cookie', ['seen=1; Path=/', 'lang=en; Path=/']); // one line each
  res.writeHead(201, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({
    method: req.method,
    url: req.url,
    type: req.headers['content-type'],
    agent: req.headers['user-agent'],
    client: req.socket.remoteAddress,
    https: req.socket.encrypted === true,
    body: `${size} bytes, sha256 ${hash.digest('hex').slice(0, 12)}`,
    script: req.fastcgi.params.SCRIPT_NAME,
  }));
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const response = await client.request({
      params: {
        REQUEST_METHOD: 'POST', REQUEST_URI: '/notes?draft=1', SCRIPT_NAME: '/notes', QUERY_STRING: 'draft=1',
        CONTENT_TYPE: 'text/plain', HTTP_USER_AGENT: 'curl/8', REMOTE_ADDR: '203.0.113.7', HTTPS: 'on',
      },
      body: 'hello',
    });
    console.log(response.status, response.headers['set-cookie']);
    console.log((await response.body.toArray()).join(''));
    await client.close();
    server.close();
  });
} else {
  server.listen(9000, '127.0.0.1');
}

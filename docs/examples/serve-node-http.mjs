// A plain node:http listener served over FastCGI, for nginx, Apache, lighttpd or HAProxy.
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer((req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`hello ${req.url} (${req.fastcgi.role}, request ${req.fastcgi.requestId})\n`);
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  // Self-check: listen on a free loopback port, send one request as a web server would, exit.
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/hi?x=1' } });
    console.log(response.status, (await response.body.toArray()).join(''));
    await client.close();
    server.close();
  });
} else {
  server.listen(9000, '127.0.0.1'); // nginx: fastcgi_pass 127.0.0.1:9000;
}

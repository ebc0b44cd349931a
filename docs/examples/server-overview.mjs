// A FastCGI app server: a node:http listener, a few limits, error events and a graceful stop.
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer({ maxRequestsPerConnection: 50, maxStdinBytes: 10 * 1024 * 1024, closeTimeout: 5000 }, (req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`hello ${req.socket.remoteAddress} (${req.fastcgi.role}, request ${req.fastcgi.requestId})\n`);
});
server.on('requestError', (error, req) => console.error(req?.url, error.code, error.cause));
server.on('connectionError', (error) => console.error(error.code, error.message));
process.on('SIGTERM', () => server.close()); // finish in-flight requests, then exit

if (process.env.FCGI_EXAMPLE_ONCE) {
  // Self-check: listen on a free loopback port, send one request as a web server would, exit.
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/', REMOTE_ADDR: '203.0.113.7' } });
    console.log(response.status, (await response.body.toArray()).join(''));
    await client.close();
    server.close(() => console.log('closed'));
  });
} else {
  server.listen(9000, '127.0.0.1'); // nginx: fastcgi_pass 127.0.0.1:9000;
}

// A fetch-style handler ((Request) => Response, as Hono exports) served over FastCGI.
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer({
  fetch: async (request) => {
    const url = new URL(request.url);
    return Response.json({ method: request.method, path: url.pathname, name: url.searchParams.get('name') });
  },
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/who?name=ada', HTTP_HOST: 'localhost' } });
    console.log(response.status, response.headers['content-type'], (await response.body.toArray()).join(''));
    await client.close();
    server.close();
  });
} else {
  server.listen({ path: process.env.FCGI_SOCKET ?? '/tmp/app.sock' }); // nginx: fastcgi_pass unix:/tmp/app.sock;
}

// A fetch-style handler ((Request, { fastcgi, req }) => Response) that streams both ways:
// a POST body is upper-cased as it arrives and sent back while more is still coming.
import { Readable } from 'node:stream';
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer({
  fetch: (request, { fastcgi }) => {
    request.signal.addEventListener('abort', () => console.log('the web server gave up on', request.url));
    if (request.method !== 'POST') {
      const headers = new Headers({ 'Content-Type': 'application/json' });
      headers.append('Set-Cookie', 'a=1; Path=/');
      headers.append('Set-Cookie', 'b=2; Path=/'); // every Set-Cookie is kept
      return new Response(JSON.stringify({ url: request.url, role: fastcgi.role, script: fastcgi.params.SCRIPT_FILENAME }), { headers });
    }
    const upper = new TransformStream({ transform: (text, controller) => controller.enqueue(text.toUpperCase()) });
    const body = request.body.pipeThrough(new TextDecoderStream()).pipeThrough(upper).pipeThrough(new TextEncoderStream());
    return new Response(body, { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  },
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const info = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/info?x=1', HTTP_HOST: 'example.test', SCRIPT_FILENAME: '/srv/app.mjs' } });
    console.log(info.status, info.headers['set-cookie'], (await info.body.toArray()).join(''));
    const shout = await client.request({
      params: { REQUEST_METHOD: 'POST', REQUEST_URI: '/shout', CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '20' },
      body: Readable.from(['hello, ', 'streaming ', 'é!']),
    });
    console.log(shout.status, (await shout.body.toArray()).join(''));
    await client.close();
    server.close();
  });
} else {
  server.listen({ path: process.env.FCGI_SOCKET ?? '/tmp/app.sock' }); // nginx: fastcgi_pass unix:/tmp/app.sock;
}

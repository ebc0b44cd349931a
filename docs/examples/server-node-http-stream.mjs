// A streamed response: each write() is sent at once as STDOUT records, 'drain' paces a fast
// writer, and the request's signal stops the handler when the web server aborts it.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer(async (req, res) => {
  const { signal, params } = req.fastcgi;
  const ticks = Number(params.QUERY_STRING || Infinity);
  res.on('close', () => console.log(signal.aborted ? `server: aborted (${signal.reason.code})` : 'server: finished'));
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  for (let tick = 1; tick <= ticks; tick++) {
    if (!res.write(`tick ${tick}\n`)) await once(res, 'drain', { signal });
    await sleep(10, undefined, { signal }); // rejects on abort: the handler stops, nothing is reported
  }
  res.end();
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const three = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/ticks?3', QUERY_STRING: '3' } });
    console.log('client:', (await three.body.toArray()).join('').trim().split('\n').join(', '));
    // A visitor who leaves after the first tick: the web server sends ABORT_REQUEST.
    const controller = new AbortController();
    const endless = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/ticks' }, signal: controller.signal });
    try {
      for await (const chunk of endless.body) {
        console.log('client:', String(chunk).trim(), '- leaving');
        controller.abort();
      }
    } catch (error) {
      console.log('client:', error.code);
    }
    await client.close();
    server.close();
  });
} else {
  server.listen(9000, '127.0.0.1');
}

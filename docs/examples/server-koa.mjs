// An unmodified Koa app served over FastCGI: createServer(app.callback()).
import Koa from 'koa';
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path !== '/hello') ctx.throw(404);
  ctx.cookies.set('seen', '1');
  ctx.body = { name: ctx.query.name, ip: ctx.ip, secure: ctx.secure, role: ctx.req.fastcgi.role };
});

const server = createServer(app.callback());
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const response = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/hello?name=ada', REMOTE_ADDR: '203.0.113.7', HTTPS: 'on' } });
    console.log(response.status, response.headers['set-cookie'], (await response.body.toArray()).join(''));
    await client.close();
    server.close();
  });
} else {
  server.listen(9000, '127.0.0.1');
}

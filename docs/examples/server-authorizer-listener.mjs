// One plain node:http listener for both roles: Authorizer requests come with
// req.fastcgi.role === 'authorizer' and an empty body; 200 allows, anything else denies.
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const server = createServer((req, res) => {
  const params = req.fastcgi.params;
  if (req.fastcgi.role === 'authorizer') {
    // Apache's AuthBasicProvider sends the Basic credentials as REMOTE_USER / REMOTE_PASSWD.
    if (params.REMOTE_USER === 'alice' && params.REMOTE_PASSWD === 'secret') res.writeHead(200, { 'Variable-TEAM': 'ops' }).end();
    else res.writeHead(401, { 'Content-Type': 'text/plain' }).end('wrong user or password\n');
    return;
  }
  res.end(`hello ${params.REMOTE_USER ?? 'stranger'} of ${params.TEAM ?? 'no team'}\n`);
});
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    for (const password of ['secret', 'guess']) {
      const check = await client.request({ role: 'authorizer', params: { REQUEST_URI: '/secure/', REMOTE_USER: 'alice', REMOTE_PASSWD: password } });
      console.log(password, check.allowed, check.status, check.variables, (await check.body.toArray()).join('').trim());
    }
    await client.close();
    server.close();
  });
} else {
  server.listen(9001, '127.0.0.1');
}

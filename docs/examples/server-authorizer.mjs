// The dedicated Authorizer API, for Apache's mod_authnz_fcgi or lighttpd's "mode" =>
// "authorizer": allow (with variables for the request that follows) or deny (with the
// response the client gets). Responder requests still go to the listener.
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const tokens = new Map([['Bearer s3cret', { user: 'alice', team: 'ops' }]]);

const server = createServer(
  {
    authorizer: (req) => {
      const who = tokens.get(req.headers.authorization ?? '');
      if (who === undefined) return { allow: false, status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: 'who are you?\n' };
      return { allow: true, variables: { USER: who.user, TEAM: who.team } }; // 200 + Variable-USER, Variable-TEAM
    },
  },
  (req, res) => res.end(`hello ${req.fastcgi.params.USER} of ${req.fastcgi.params.TEAM}\n`),
);
process.on('SIGTERM', () => server.close());

if (process.env.FCGI_EXAMPLE_ONCE) {
  // Self-check: ask as the web server does, then send the allowed request on with the variables.
  server.listen(0, '127.0.0.1', async () => {
    const client = new Client({ address: `127.0.0.1:${server.address().port}` });
    const denied = await client.request({ role: 'authorizer', params: { REQUEST_URI: '/api/report' } });
    console.log('denied:', denied.status, denied.headers['www-authenticate'], (await denied.body.toArray()).join('').trim());
    const allowed = await client.request({ role: 'authorizer', params: { REQUEST_URI: '/api/report', HTTP_AUTHORIZATION: 'Bearer s3cret' } });
    console.log('allowed:', allowed.allowed, allowed.variables);
    const next = await client.request({ params: { REQUEST_METHOD: 'GET', REQUEST_URI: '/api/report', ...allowed.variables } });
    console.log('responder:', (await next.body.toArray()).join('').trim());
    await client.close();
    server.close();
  });
} else {
  server.listen(9001, '127.0.0.1'); // mod_authnz_fcgi connects over TCP only
}

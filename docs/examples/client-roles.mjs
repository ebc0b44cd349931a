// The Authorizer and Filter roles, against a small @fcgi/server app that plays both.
import { createServer } from '@fcgi/server';
import { Client } from '@fcgi/client';

const app = createServer(async (req, res) => {
  if (req.fastcgi.role === 'authorizer') {
    const allowed = req.headers.authorization === 'Bearer x';
    if (allowed) res.setHeader('Variable-USER', 'ann'); // becomes USER for the request that follows
    res.statusCode = allowed ? 200 : 401;
    res.end();
  } else {
    const file = (await req.fastcgi.data.toArray()).join(''); // filter: the DATA stream
    res.end(`${file.toUpperCase()} (modified ${req.fastcgi.params.FCGI_DATA_LAST_MOD})`);
  }
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
const client = new Client({ address: `127.0.0.1:${app.address().port}` });

// Authorizer: no body; allowed when the app answers 200.
const auth = await client.request({ role: 'authorizer', params: { HTTP_AUTHORIZATION: 'Bearer x', REQUEST_URI: '/admin' } });
if (auth.allowed) console.log(auth.variables); // { USER: 'ann' } from "Variable-USER: ann"

// Filter: the data file follows STDIN as the DATA stream.
const filtered = await client.request({ role: 'filter', body: '', data: 'a data file', dataLastModified: new Date(0) });
console.log((await filtered.body.toArray()).join(''));

await client.close();
app.close();

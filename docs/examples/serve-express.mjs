// An existing Express app served over FastCGI: the app itself does not change.
import express from 'express';
import { serve } from '@fcgi/express';
import { Client } from '@fcgi/client';

const app = express();
app.use(express.json());
app.get('/', (req, res) => res.send(`hello over FastCGI (${req.fastcgi.role})\n`));
app.post('/items', (req, res) => res.status(201).json({ created: req.body.name }));

const once = Boolean(process.env.FCGI_EXAMPLE_ONCE);
const server = await serve(app, { listen: once ? '127.0.0.1:0' : process.env.FCGI_LISTEN ?? '127.0.0.1:9000' });
process.on('SIGTERM', () => server.close());

if (once) {
  // Self-check: POST a JSON body as nginx would, print the answer, exit.
  const client = new Client({ address: `127.0.0.1:${server.address().port}` });
  const response = await client.request({
    params: { REQUEST_METHOD: 'POST', REQUEST_URI: '/items', CONTENT_TYPE: 'application/json' },
    body: JSON.stringify({ name: 'pen' }),
  });
  console.log(response.status, (await response.body.toArray()).join(''));
  await client.close();
  server.close();
}

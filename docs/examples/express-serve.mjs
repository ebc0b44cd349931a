import express from 'express';
import { serve } from '@fcgi/express';

const app = express();
app.set('trust proxy', 'loopback'); // req.ip from X-Forwarded-For when the web server is local
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, ip: req.ip, via: req.fastcgi.role }));

const server = await serve(app, { listen: process.env.FCGI_LISTEN ?? '127.0.0.1:9000', closeTimeout: 5000 });
process.on('SIGTERM', () => server.close()); // graceful: in-flight requests finish

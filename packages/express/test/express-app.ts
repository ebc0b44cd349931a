/** The Express app of the shared suite (see served-app-suite.ts for the routes). */
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type ErrorRequestHandler, type Express } from 'express';
import multer from 'multer';
import type { SuiteContext } from './served-app-suite.js';

export function buildExpressApp(context: SuiteContext): Express {
  const app = express();
  app.set('trust proxy', '203.0.113.0/24');
  app.use(cookieParser());
  app.use('/static', express.static(context.staticRoot));
  app.get('/users/:id', (req, res) => {
    res.json({ id: req.params.id, query: req.query });
  });
  app.get('/whoami', (req, res) => {
    res.json({ ip: req.ip, protocol: req.protocol, secure: req.secure, role: req.fastcgi?.role, remoteAddr: req.fastcgi?.params.REMOTE_ADDR });
  });
  app.post('/echo/json', express.json(), (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.post('/echo/form', express.urlencoded({ extended: false }), (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.post('/echo/raw', express.raw(), (req, res) => {
    const body = req.body as Buffer;
    res.json({ length: body.length, hex: body.toString('hex') });
  });
  app.post('/upload', multer({ storage: multer.memoryStorage() }).single('photo'), (req, res) => {
    const file = req.file as Express.Multer.File;
    res.json({ fields: { ...(req.body as Record<string, string>) }, files: [{ field: file.fieldname, name: file.originalname, size: file.size }] });
  });
  app.get('/redirect', (_req, res) => {
    res.redirect('/target');
  });
  app.get('/cookies/set', (_req, res) => {
    res.cookie('session', 'abc', { httpOnly: true }).cookie('theme', 'dark').send('ok');
  });
  app.get('/cookies/read', (req, res) => {
    res.json({ cookies: req.cookies as unknown });
  });
  app.get('/file', (_req, res) => {
    res.sendFile(join(context.staticRoot, 'big.bin'));
  });
  app.get('/download', (_req, res) => {
    res.download(join(context.staticRoot, 'hello.txt'), 'report.txt');
  });
  app.get('/fail', () => {
    throw new Error('boom');
  });
  app.get('/stream', (_req, res) => {
    let index = 0;
    const next = (): void => {
      res.write(`chunk-${index}\n`);
      if (++index === 3) res.end();
      else setTimeout(next, 20);
    };
    next();
  });
  app.get('/hang', (req, res) => {
    req.on('close', () => {
      if (!res.writableEnded) context.onAbort();
    });
  });
  app.get('/secure/data', (req, res) => {
    res.json({ remoteUser: req.fastcgi?.params.REMOTE_USER, user: req.fastcgi?.params.USER });
  });
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.send('done'), 300);
  });
  const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => {
    res.status(418).json({ error: error.message });
  };
  app.use(onError);
  return app;
}

/** An Express app acting as the FastCGI Authorizer. */
export function buildAuthorizerApp(): Express {
  const authorizer = express();
  authorizer.use((req, res) => {
    const params = req.fastcgi?.params;
    const basic = params?.REMOTE_USER === 'alice' && params.REMOTE_PASSWD === 'secret';
    if (req.get('authorization') === 'Bearer good' || basic) res.set('Variable-USER', 'alice').status(200).end();
    else res.status(401).set('WWW-Authenticate', 'Bearer').send('who are you?');
  });
  return authorizer;
}

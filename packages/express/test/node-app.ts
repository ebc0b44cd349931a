/** The plain node:http listener of the shared suite (see served-app-suite.ts for the routes). */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AuthorizerHandler, FastCgiIncomingMessage, RequestListener } from '@fcgi/server';
import multer from 'multer';
import type { SuiteContext } from './served-app-suite.js';

type Route = (req: FastCgiIncomingMessage, res: ServerResponse, url: URL) => unknown;

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return query;
}

/** REMOTE_ADDR, or the last X-Forwarded-For hop when REMOTE_ADDR is the trusted proxy range. */
function clientAddress(req: IncomingMessage): string | undefined {
  const remote = req.socket.remoteAddress;
  const forwarded = req.headers['x-forwarded-for'];
  if (remote?.startsWith('203.0.113.') !== true || typeof forwarded !== 'string') return remote;
  return forwarded.split(',').at(-1)?.trim();
}

function routes(context: SuiteContext): Record<string, Route> {
  const upload = multer({ storage: multer.memoryStorage() }).single('photo');
  const file = (name: string): string => join(context.staticRoot, name);
  return {
    'GET /whoami': (req, res) => {
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
      sendJson(res, { ip: clientAddress(req), protocol: secure ? 'https' : 'http', secure, role: req.fastcgi.role, remoteAddr: req.fastcgi.params.REMOTE_ADDR });
    },
    'POST /echo/json': async (req, res) => sendJson(res, { body: JSON.parse((await readBody(req)).toString()) as unknown }),
    'POST /echo/form': async (req, res) => sendJson(res, { body: Object.fromEntries(new URLSearchParams((await readBody(req)).toString())) }),
    'POST /echo/raw': async (req, res) => {
      const body = await readBody(req);
      sendJson(res, { length: body.length, hex: body.toString('hex') });
    },
    'POST /upload': (req, res) =>
      new Promise<void>((resolve, reject) => {
        upload(req as never, res as never, (error: unknown) => {
          if (error !== undefined) return reject(error instanceof Error ? error : new Error('multer failed'));
          const { body, file: uploaded } = req as unknown as { body: Record<string, string>; file: Express.Multer.File };
          sendJson(res, { fields: { ...body }, files: [{ field: uploaded.fieldname, name: uploaded.originalname, size: uploaded.size }] });
          resolve();
        });
      }),
    'GET /redirect': (_req, res) => res.writeHead(302, { Location: '/target' }).end(),
    'GET /cookies/set': (_req, res) => res.writeHead(200, { 'Set-Cookie': ['session=abc; Path=/; HttpOnly', 'theme=dark; Path=/'] }).end('ok'),
    'GET /cookies/read': (req, res) => sendJson(res, { cookies: Object.fromEntries((req.headers.cookie ?? '').split('; ').map((pair): [string, string] => [pair.split('=')[0] ?? '', pair.split('=')[1] ?? ''])) }),
    'GET /static/hello.txt': (_req, res) => createReadStream(file('hello.txt')).pipe(res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })),
    'GET /file': (_req, res) => createReadStream(file('big.bin')).pipe(res.writeHead(200, { 'Content-Type': 'application/octet-stream' })),
    'GET /download': (_req, res) => createReadStream(file('hello.txt')).pipe(res.writeHead(200, { 'Content-Disposition': 'attachment; filename="report.txt"' })),
    'GET /fail': () => {
      throw new Error('boom');
    },
    'GET /stream': async (_req, res) => {
      for (let index = 0; index < 3; index++) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        res.write(`chunk-${index}\n`);
      }
      res.end();
    },
    'GET /hang': (req, res) => {
      req.on('close', () => {
        if (!res.writableEnded) context.onAbort();
      });
    },
    'GET /secure/data': (req, res) => sendJson(res, { remoteUser: req.fastcgi.params.REMOTE_USER, user: req.fastcgi.params.USER }),
    'GET /slow': (_req, res) => setTimeout(() => res.end('done'), 300),
  };
}

/** A node:http listener implementing the suite's routes, errors answered 418 by a try/catch. */
export function buildNodeListener(context: SuiteContext): RequestListener {
  const table = routes(context);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const user = /^\/users\/([^/]+)$/.exec(url.pathname);
    try {
      if (req.method === 'GET' && user !== null) return sendJson(res, { id: user[1], query: queryObject(url.searchParams) });
      const route = table[`${req.method ?? 'GET'} ${url.pathname}`];
      if (route === undefined) return sendJson(res, { error: 'not found' }, 404);
      await route(req, res, url);
    } catch (error) {
      sendJson(res, { error: (error as Error).message }, 418);
    }
  };
}

/** @fcgi/server's own authorizer API. */
export const nodeAuthorizer: AuthorizerHandler = (req) => {
  const params = req.fastcgi.params;
  const allowed = req.headers.authorization === 'Bearer good' || (params.REMOTE_USER === 'alice' && params.REMOTE_PASSWD === 'secret');
  return allowed ? { allow: true, variables: { USER: 'alice' } } : { allow: false, status: 401 };
};

// A Node FastCGI app standing in for PHP when php-fpm is absent: the same routes as
// site/index.php, served by @fcgi/server, so the Fastify side is exactly the same (the
// plugin still sends SCRIPT_FILENAME=site/index.php and PATH_INFO; this app routes by
// PATH_INFO as the PHP front controller does).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '@fcgi/server';

const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#039;' };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (character) => escapes[character]);

/** The cookies of a request, by name. */
function readCookies(header = '') {
  const cookies = {};
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0) cookies[part.slice(0, separator).trim()] = decodeURIComponent(part.slice(separator + 1).trim());
  }
  return cookies;
}

async function readForm(request, limit = 1_048_576) {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > limit) throw new Error('form too large');
  }
  return new URLSearchParams(text);
}

function page(response, params, status, title, body) {
  const facts = `SCRIPT_NAME=${params.SCRIPT_NAME ?? ''} PATH_INFO=${params.PATH_INFO ?? ''} REQUEST_URI=${params.REQUEST_URI ?? ''}`;
  response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'X-Site-Backend': `Node ${process.version} (@fcgi/server stand-in)` });
  response.end(`<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/assets/style.css"></head>\n<body>\n`
    + '<nav><a href="/">Home</a><a href="/hello/world">Hello</a><a href="/guestbook">Guestbook</a><a href="/api/time">API</a></nav>\n'
    + `<h1>${escapeHtml(title)}</h1>\n${body}\n<footer>${escapeHtml(facts)}</footer>\n</body></html>\n`);
}

/** Sessions in memory, as PHP keeps them in files: a PHPSESSID cookie names one. */
function createSessions(maxSessions = 1000) {
  const sessions = new Map();
  return (request, response) => {
    const id = readCookies(request.headers.cookie).PHPSESSID;
    if (id !== undefined && sessions.has(id)) return sessions.get(id);
    const fresh = randomBytes(16).toString('hex');
    if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value); // bounded: the oldest goes
    sessions.set(fresh, { visits: 0, entries: [] });
    response.appendHeader('Set-Cookie', `PHPSESSID=${fresh}; path=/; HttpOnly; SameSite=Lax`);
    return sessions.get(fresh);
  };
}

async function guestbook(request, response, params, session) {
  if (request.method === 'POST') {
    const form = await readForm(request);
    const name = (form.get('name') ?? '').trim();
    if (name === '') return page(response, params, 422, 'Guestbook', '<p>Please give your name.</p>');
    session.entries.push([name, (form.get('message') ?? '').trim()]);
    response.appendHeader('Set-Cookie', `guest=${encodeURIComponent(name)}; path=/; HttpOnly; SameSite=Lax`);
    return response.writeHead(303, { Location: '/guestbook' }).end(); // post/redirect/get
  }
  const guest = readCookies(request.headers.cookie).guest ?? '';
  let body = guest === '' ? '' : `<p>Welcome back, ${escapeHtml(guest)}.</p>`;
  for (const [name, message] of session.entries) body += `<p>Signed by ${escapeHtml(name)}: <q>${escapeHtml(message)}</q></p>\n`;
  body += '<form method="post" action="/guestbook"><input name="name"> <input name="message"> <button>Sign</button></form>';
  return page(response, params, 200, 'Guestbook', body);
}

/**
 * The stand-in's node:http-style listener: routes by PATH_INFO as site/index.php does.
 *
 * @example
 * createServer(createStandInListener()).listen({ path: '/tmp/stand-in.sock' });
 */
export function createStandInListener() {
  const sessionFor = createSessions();
  return async (request, response) => {
    const params = request.fastcgi.params;
    const path = params.PATH_INFO || '/';
    const session = sessionFor(request, response);
    const hello = /^\/hello\/([^/]+)$/.exec(path);
    if (path === '/') {
      session.visits += 1;
      page(response, params, 200, 'A small PHP site', `<p>Visits this session: ${session.visits}</p>`);
    } else if (path === '/guestbook') await guestbook(request, response, params, session);
    else if (path === '/old-home') response.writeHead(301, { Location: '/' }).end();
    else if (hello) page(response, params, 200, `Hello, ${hello[1]}`, '<p>A pretty URL: PHP read the name from PATH_INFO.</p>');
    else page(response, params, 404, 'Not found', `<p>No page at ${escapeHtml(path)}.</p>`);
  };
}

/**
 * Serves the stand-in over FastCGI on a Unix socket in a temporary directory.
 *
 * @example
 * const standIn = await startStandIn();
 * standIn.address; // 'unix:/tmp/node-in-front-of-php-stand-in-XXXX/app.sock'
 * await standIn.stop();
 */
export async function startStandIn() {
  const runDirectory = await mkdtemp(join(tmpdir(), 'node-in-front-of-php-stand-in-'));
  const socketPath = join(runDirectory, 'app.sock');
  const server = createServer(createStandInListener());
  server.listen({ path: socketPath });
  await once(server, 'listening');
  return {
    address: `unix:${socketPath}`,
    stop: async () => {
      await new Promise((resolve) => server.close(() => resolve()));
      await rm(runDirectory, { recursive: true, force: true });
    },
  };
}

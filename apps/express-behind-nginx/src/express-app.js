// An ordinary Express 5 app. Nothing in it knows about FastCGI: the same app runs under
// app.listen() over HTTP. req.ip, cookies, JSON bodies and redirects work unchanged.
import express from 'express';

/** Reads the Cookie header (what the cookie-parser middleware does, in four lines). */
function readCookies(request) {
  const pairs = (request.headers.cookie ?? '').split(';').map((part) => part.trim().split('='));
  return Object.fromEntries(pairs.filter(([name, value]) => name && value !== undefined).map(([name, value]) => [name, decodeURIComponent(value)]));
}

/**
 * Builds the demo app: `GET /`, `POST /api/notes` (JSON), `GET /login?name=` (sets a cookie
 * and redirects to /me), `GET /me` (reads it), `GET /old-home` (301 to /).
 *
 * @example
 * createApp().listen(3000); // plain HTTP, for comparison
 */
export function createApp() {
  const app = express();
  const notes = [];

  app.get('/', (request, response) => {
    response.json({ hello: 'from Express over FastCGI', ip: request.ip, protocol: request.protocol, method: request.method, path: request.path, query: request.query });
  });

  app.post('/api/notes', express.json(), (request, response) => {
    if (typeof request.body?.text !== 'string') return response.status(400).json({ error: 'send {"text": "..."}' });
    const note = { id: notes.length + 1, text: request.body.text };
    notes.push(note);
    response.status(201).location(`/api/notes/${note.id}`).json(note);
  });

  app.get('/api/notes/:id', (request, response) => {
    const note = notes.find((candidate) => candidate.id === Number(request.params.id));
    if (note === undefined) return response.status(404).json({ error: 'no such note' });
    response.json(note);
  });

  app.get('/login', (request, response) => {
    const name = String(request.query.name ?? 'guest');
    response.cookie('user', name, { httpOnly: true, sameSite: 'lax' });
    response.cookie('theme', 'dark');
    response.redirect('/me');
  });

  app.get('/me', (request, response) => {
    const cookies = readCookies(request);
    if (cookies.user === undefined) return response.status(401).json({ error: 'not logged in: visit /login?name=you' });
    response.json({ user: cookies.user, theme: cookies.theme ?? null });
  });

  app.get('/old-home', (request, response) => response.redirect(301, '/'));

  return app;
}

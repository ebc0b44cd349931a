// The tour's Express 5 app: an ordinary app that knows nothing about FastCGI, plus an
// Express authorizer answering FastCGI Authorizer-role requests.
import express from 'express';

/** The demo's bearer tokens. In real life: a database, a JWT check, an OAuth introspection call. */
export const demoTokens = {
  'ada-token': { user: 'ada', team: 'ops' },
};

/** Tells the caller which web server sent the request (nginx sends `nginx/1.22.1`, the Node gateway `fcgi-gateway`). */
function namesTheFront(request, response, next) {
  response.set('X-FastCGI-Front', request.fastcgi?.params.SERVER_SOFTWARE ?? 'unknown');
  next();
}

/** `GET /stream`: five lines, 100 ms apart, each sent as soon as it is written. */
function streamLines(request, response) {
  response.set({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Accel-Buffering': 'no' }); // tells nginx not to buffer
  let line = 0;
  const timer = setInterval(() => {
    line += 1;
    response.write(`line ${line} of 5, written at +${line * 100} ms\n`);
    if (line === 5) {
      clearInterval(timer);
      response.end();
    }
  }, 100);
  response.on('close', () => clearInterval(timer)); // the client went away
}

/**
 * Builds the app: `GET /` (JSON), `POST /notes` (a JSON body, answered 201), `GET /stream`
 * (a streamed response). Every answer carries `X-FastCGI-Front`, the SERVER_SOFTWARE param.
 *
 * @example
 * await serve(createApp(), { listen: { port: 9000, host: '127.0.0.1' }, authorizer: createAuthorizer() });
 */
export function createApp() {
  const app = express();
  const notes = [];
  app.use(namesTheFront);
  app.get('/', (request, response) => {
    response.json({ hello: 'from Express over FastCGI', front: request.fastcgi?.params.SERVER_SOFTWARE, ip: request.ip, query: request.query });
  });
  app.post('/notes', express.json(), (request, response) => {
    if (typeof request.body?.text !== 'string') return response.status(400).json({ error: 'send {"text": "..."}' });
    const note = { id: notes.length + 1, text: request.body.text };
    notes.push(note);
    response.status(201).location(`/notes/${note.id}`).json(note);
  });
  app.get('/stream', streamLines);
  return app;
}

/**
 * The authorizer (FastCGI Authorizer role: no body, the request's params only). No
 * `Authorization: Bearer TOKEN` header: 401; an unknown token: 403; a known one: 200 with
 * `Variable-TOUR_USER` and `Variable-TOUR_TEAM`, which a web server passes on to the
 * request it then serves.
 *
 * @example
 * await serve(createApp(), { listen: 9000, authorizer: createAuthorizer() });
 * @param {Record<string, { user: string, team: string }>} [tokens]
 */
export function createAuthorizer(tokens = demoTokens) {
  return (request, response) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.get('authorization') ?? '')?.[1];
    if (token === undefined) return response.status(401).set('WWW-Authenticate', 'Bearer realm="tour"').type('text/plain').send('A bearer token is required.\n');
    const identity = tokens[token];
    if (identity === undefined) return response.status(403).type('text/plain').send('Unknown token.\n');
    response.set({ 'Variable-TOUR_USER': identity.user, 'Variable-TOUR_TEAM': identity.team }).type('text/plain').send(`Welcome, ${identity.user}.\n`);
  };
}

// The app every backend runs: one module, started N times with `fcgi serve src/app.js
// --listen 127.0.0.1:PORT` (see src/backends.js), each copy with its own BACKEND_NAME.
// Every answer says which copy made it, in the X-Backend header and the body.

const name = process.env.BACKEND_NAME ?? 'app';
const address = process.env.BACKEND_ADDRESS ?? 'unknown';
const identity = `${name} ${address} pid ${process.pid}`;

/** Keeps the CPU busy for about `milliseconds`: the app's own work per request. */
function work(milliseconds) {
  const until = performance.now() + milliseconds;
  let spins = 0;
  while (performance.now() < until) spins += 1;
  return spins;
}

/**
 * The node:http listener `fcgi serve` runs: `/` answers at once, `/work` after about 1 ms
 * of CPU (`/work?ms=N`, at most 50), as an app whose own work is what costs.
 *
 * @example
 * // fcgi serve src/app.js --listen 127.0.0.1:9101   (BACKEND_NAME=app-1 in the environment)
 * @param {import('node:http').IncomingMessage} request
 * @param {import('node:http').ServerResponse} response
 */
export default function app(request, response) {
  const url = new URL(request.url ?? '/', 'http://backend');
  if (url.pathname === '/work') work(Math.min(Number(url.searchParams.get('ms') ?? 1) || 0, 50));
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Backend': identity });
  response.end(`hello from ${identity}\n`);
}

// `--once`: a few requests against the running site, one line each, then an exit code:
// 0 when every answer was as expected. Cookies are kept between requests, as a browser does.

/** The requests of a `--once` run and what each answer must hold. */
export const checks = [
  { path: '/api/health', status: 200, contains: '"status":"ok"', note: 'a Fastify route' },
  { path: '/', status: 200, contains: 'Visits this session: 1', note: 'index.php, starts a session' },
  { path: '/', status: 200, contains: 'Visits this session: 2', note: 'the session cookie came back' },
  { path: '/hello/ada', status: 200, contains: '<h1>Hello, ada</h1>', note: 'a pretty URL, PATH_INFO=/hello/ada' },
  { path: '/guestbook', method: 'POST', form: 'name=Ada&message=hi', status: 303, location: '/guestbook', note: 'a form POST, then a redirect' },
  { path: '/guestbook', status: 200, contains: 'Welcome back, Ada.', note: 'the guest cookie and the session entry' },
  { path: '/old-home', status: 301, location: '/', note: 'a redirect from PHP' },
  { path: '/assets/style.css', status: 200, contains: 'font-family', note: 'a static file, served by Fastify' },
];

/** Keeps `name=value` of each Set-Cookie, as a browser would send them back. */
function createCookieJar() {
  const cookies = new Map();
  return {
    store: (response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const separator = pair.indexOf('=');
        cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
      }
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  };
}

function verdict(check, status, location, body) {
  if (status !== check.status) return `expected ${check.status}`;
  if (check.location !== undefined && location !== check.location) return `expected Location ${check.location}`;
  if (check.contains !== undefined && !body.includes(check.contains)) return `expected ${JSON.stringify(check.contains)} in the body`;
  return 'ok';
}

/**
 * Sends {@link checks} to `url`, printing one line each; true when all were as expected.
 *
 * @example
 * const passed = await runChecks('http://127.0.0.1:8080', console.log);
 * @param {string} url
 * @param {(line: string) => void} print
 */
export async function runChecks(url, print) {
  const jar = createCookieJar();
  let failures = 0;
  for (const check of checks) {
    const method = check.method ?? 'GET';
    const headers = { cookie: jar.header() };
    if (check.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(`${url}${check.path}`, { method, headers, body: check.form, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    jar.store(response);
    const body = await response.text();
    const location = response.headers.get('location') ?? undefined;
    const result = verdict(check, response.status, location, body);
    if (result !== 'ok') failures += 1;
    const backend = response.headers.get('x-site-backend');
    print(`${method.padEnd(4)} ${check.path.padEnd(18)} ${response.status}${location ? ` -> ${location}` : ''}  ${check.note}${backend ? ` [${backend}]` : ''}: ${result}`);
  }
  print(failures === 0 ? `${checks.length} of ${checks.length} requests as expected.` : `${failures} of ${checks.length} requests FAILED.`);
  return failures === 0;
}

// The tour's requests. Each step sends one request and returns what to print: method, URL,
// the hop that served it, status, a few headers, the body, and whether it came out right.
import { Client } from '@fcgi/client';
import { sendRequest } from './http-request.js';

/** What a step returns; `problems` empty means the step passed. */
function result(fields) {
  return { headers: {}, body: '', notes: [], problems: [], ...fields };
}

function check(outcome, condition, problem) {
  if (!condition) outcome.problems.push(problem);
  return outcome;
}

function expressHop(stack, headers) {
  const front = stack.front.kind === 'nginx' ? 'nginx' : 'Node gateway';
  const { host, port } = stack.app.address;
  return `${front} -> FastCGI ${host}:${port} -> Express (the app saw SERVER_SOFTWARE=${headers['x-fastcgi-front'] ?? '?'})`;
}

async function httpStep(url, options, hop) {
  const answer = await sendRequest(url, options);
  return result({ method: options.method ?? 'GET', url, hop: hop(answer.headers), ...answer });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function getJson(stack) {
  const outcome = await httpStep(`${stack.front.url}/?from=tour`, {}, (headers) => expressHop(stack, headers));
  check(outcome, outcome.status === 200, `expected 200, got ${outcome.status}`);
  return check(outcome, parseJson(outcome.body)?.hello === 'from Express over FastCGI', 'the body is not the app\'s JSON greeting');
}

async function postJson(stack) {
  const options = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'FastCGI carries request bodies as STDIN' }) };
  const outcome = await httpStep(`${stack.front.url}/notes`, options, (headers) => expressHop(stack, headers));
  outcome.notes.push(`sent    ${options.body}`);
  check(outcome, outcome.status === 201, `expected 201, got ${outcome.status}`);
  return check(outcome, parseJson(outcome.body)?.text === 'FastCGI carries request bodies as STDIN', 'the body did not come back');
}

async function streamed(stack) {
  const outcome = await httpStep(`${stack.front.url}/stream`, {}, (headers) => expressHop(stack, headers));
  const times = outcome.chunkTimes;
  outcome.notes.push(`arrived in ${times.length} pieces, at ${times.map((time) => `+${time}`).join(', ')} ms`);
  check(outcome, outcome.status === 200, `expected 200, got ${outcome.status}`);
  check(outcome, outcome.body.split('\n').filter(Boolean).length === 5, 'expected five lines');
  return check(outcome, times.length >= 2 && times.at(-1) - times[0] >= 200, 'the lines arrived all at once: the response was buffered, not streamed');
}

async function readText(stream) {
  let text = '';
  for await (const chunk of stream) text += chunk.toString('utf8');
  return text;
}

async function authorize(stack, client, authorization) {
  const { host, port } = stack.app.address;
  const params = { REQUEST_METHOD: 'GET', REQUEST_URI: '/admin/report', SCRIPT_NAME: '/admin/report', SERVER_PROTOCOL: 'HTTP/1.1', SERVER_SOFTWARE: 'fcgi-tour', REMOTE_ADDR: '127.0.0.1', HTTP_AUTHORIZATION: authorization };
  const response = await client.request({ role: 'authorizer', params, timeout: 5_000, requestTimeout: 10_000 });
  const body = await readText(response.body);
  await response.done;
  const outcome = result({ method: 'AUTHORIZER', url: `fcgi://${host}:${port}/admin/report`, hop: `@fcgi/client -> FastCGI ${host}:${port}, role AUTHORIZER -> the Express authorizer`, status: response.status, statusText: response.statusText, headers: response.headers, body });
  outcome.notes.push(`sent    Authorization: ${authorization ?? '(none)'}`);
  const variables = Object.entries(response.variables ?? {}).map(([name, value]) => `${name}=${value}`);
  outcome.notes.push(`answer  ${response.allowed ? 'allow' : 'deny'}${variables.length > 0 ? `, Variable-* values: ${variables.join(' ')}` : ''}`);
  return outcome;
}

async function authorizerDenies(stack, client) {
  const outcome = await authorize(stack, client, undefined);
  return check(outcome, outcome.status === 401, `expected 401, got ${outcome.status}`);
}

async function authorizerAllows(stack, client) {
  const outcome = await authorize(stack, client, 'Bearer ada-token');
  check(outcome, outcome.status === 200, `expected 200, got ${outcome.status}`);
  return check(outcome, outcome.notes.some((note) => note.includes('TOUR_USER=ada TOUR_TEAM=ops')), 'expected TOUR_USER=ada and TOUR_TEAM=ops');
}

async function phpPage(stack) {
  const url = `${stack.php.url}/hello.php?name=tour`;
  const outcome = await httpStep(url, {}, (headers) => `Node gateway -> FastCGI ${stack.php.address} -> php-fpm (PHP ${headers['x-php-version'] ?? '?'})`);
  check(outcome, outcome.status === 200, `expected 200, got ${outcome.status}`);
  return check(outcome, outcome.body.startsWith('Hello, tour, from PHP'), 'the body is not the PHP page');
}

const expressSteps = [
  { title: 'a JSON page from Express', run: getJson },
  { title: 'a POST with a JSON body (express.json() reads it from STDIN)', run: postJson },
  { title: 'a streamed response (five lines, 100 ms apart)', run: streamed },
  { title: 'the authorizer denies a request without a token', run: authorizerDenies },
  { title: 'the authorizer allows a request with a token', run: authorizerAllows },
];

/**
 * The tour's steps for a running stack, in order: each is `{ title, run }`, where
 * `run(stack, client)` resolves to what to print. The PHP step is left out when php-fpm
 * was skipped.
 *
 * @example
 * for (const step of tourSteps(stack)) console.log(step.title, await step.run(stack, client));
 * @param {{ php: { url?: string } }} stack
 */
export function tourSteps(stack) {
  return stack.php.url === undefined ? expressSteps : [...expressSteps, { title: 'a PHP page from php-fpm, behind the Node gateway', run: phpPage }];
}

/**
 * The FastCGI client the authorizer steps use: straight to the app, no web server between.
 *
 * @example
 * const client = authorizerClient(stack); // ... await client.close();
 * @param {{ app: { address: { host: string, port: number } } }} stack
 */
export function authorizerClient(stack) {
  const { host, port } = stack.app.address;
  return new Client({ address: `${host}:${port}`, connectTimeout: 5_000, headersTimeout: 10_000 });
}

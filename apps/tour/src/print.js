// How the tour prints: the setup, each result, and the URLs to try. Plain text, so it reads
// the same in a terminal, a CI log and a test.

const shownHeaders = ['content-type', 'content-length', 'transfer-encoding', 'location', 'server', 'www-authenticate', 'x-fastcgi-front', 'x-php-version', 'variable-tour_user', 'variable-tour_team'];

function headerLine(headers) {
  const present = shownHeaders.filter((name) => headers[name] !== undefined);
  return present.map((name) => `${name}: ${[headers[name]].flat().join(', ')}`).join(' | ');
}

function bodyLines(body) {
  const lines = body.replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, 6).map((line) => (line.length > 110 ? `${line.slice(0, 110)}...` : line));
  if (lines.length > 6) shown.push(`... (${lines.length - 6} more lines)`);
  return shown;
}

/**
 * Formats the parts that started (or were replaced or skipped) as lines.
 *
 * @example
 * console.log(formatSetup(stack).join('\n'));
 * @param {import('./stack.js').Stack} stack
 */
export function formatSetup(stack) {
  const { host, port } = stack.app.address;
  const lines = [
    'Setup',
    `  app      Express 5 over FastCGI on ${host}:${port} (serve() from @fcgi/express, with an authorizer)`,
    `  front    ${stack.front.kind === 'nginx' ? 'nginx' : 'Node gateway'} on ${stack.front.url}: ${stack.front.description}`,
    stack.php.url === undefined ? `  php      skipped: ${stack.php.skipped}` : `  php      Node gateway on ${stack.php.url} -> ${stack.php.description}`,
  ];
  return [...lines, ...stack.notes.map((note) => `  note     ${note}`)];
}

/**
 * Formats one step's result: a title line marked ok or FAILED, then method and URL, hop,
 * status, headers, notes and a preview of the body, indented.
 *
 * @example
 * console.log(formatResult(3, outcome).join('\n'));
 * @param {number} number
 * @param {{ title: string, method?: string, url?: string, hop?: string, status?: number, statusText?: string, headers?: Record<string, unknown>, body?: string, notes?: string[], problems: string[] }} outcome
 */
export function formatResult(number, outcome) {
  const lines = [`${number}. ${outcome.title}: ${outcome.problems.length === 0 ? 'ok' : 'FAILED'}`];
  if (outcome.method !== undefined) lines.push(`   ${outcome.method} ${outcome.url}`);
  if (outcome.hop !== undefined) lines.push(`   hop     ${outcome.hop}`);
  if (outcome.status !== undefined) lines.push(`   status  ${outcome.status} ${outcome.statusText ?? ''}`.trimEnd());
  const headers = headerLine(outcome.headers ?? {});
  if (headers !== '') lines.push(`   headers ${headers}`);
  for (const note of outcome.notes ?? []) lines.push(`   ${note}`);
  if (outcome.body) lines.push(...bodyLines(outcome.body).map((line, index) => `   ${index === 0 ? 'body   ' : '       '} ${line}`));
  for (const problem of outcome.problems) lines.push(`   PROBLEM ${problem}`);
  return lines;
}

/**
 * The commands a user can paste to talk to the running stack.
 *
 * @example
 * console.log(formatTryIt(stack).join('\n'));
 * @param {import('./stack.js').Stack} stack
 */
export function formatTryIt(stack) {
  const url = stack.front.url;
  const { host, port } = stack.app.address;
  const lines = [
    'Try it yourself',
    `  curl ${url}/`,
    `  curl -H 'Content-Type: application/json' -d '{"text":"hi"}' ${url}/notes`,
    `  curl -N ${url}/stream`,
  ];
  if (stack.php.url !== undefined) lines.push(`  curl '${stack.php.url}/hello.php?name=you'`);
  lines.push(`  (the authorizer speaks FastCGI, not HTTP: role AUTHORIZER on ${host}:${port}, token ada-token)`);
  return lines;
}

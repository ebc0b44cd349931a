#!/usr/bin/env node
// `pnpm demo` (from the repository root) or `pnpm --filter @fcgi/app-tour start`: the
// end-to-end tour. Starts the stack, sends a few requests, prints what happened, then
// serves until Ctrl-C; `--once` stops after the tour (exit 0 when every step passed).
import { parseArgs } from 'node:util';
import { formatSetup, formatTryIt } from './print.js';
import { startStack } from './stack.js';
import { runTour } from './tour.js';

const usage = `Usage: pnpm demo [--once]    (or: node src/main.js [--once])

Starts an Express app over FastCGI, nginx in front of it (the Node gateway when nginx is
not installed), php-fpm behind a Node gateway (skipped when php-fpm is not installed),
sends a few requests, prints each result, and serves until Ctrl-C.

  --once      exit after the tour: 0 when every step passed, 1 otherwise
  -h, --help  this text

FCGI_HIDE_PEERS=nginx,php-fpm pretends those programs are not installed.`;

function parseOptions() {
  try {
    return parseArgs({ options: { once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    console.error(`tour: ${error.message.split('\n')[0]} (try --help)`);
    process.exit(2);
  }
}

/** Stops the stack (once it has started) within 15 s, else gives up, and exits with `code`. */
function stopAndExit(starting, code) {
  const forced = setTimeout(() => {
    console.error('tour: stopping took longer than 15 s; exiting anyway.');
    process.exit(1);
  }, 15_000);
  forced.unref();
  starting.then((stack) => stack?.stop()).then(() => process.exit(code), (error) => {
    console.error(`tour: while stopping: ${error.message}`);
    process.exit(1);
  });
}

const options = parseOptions();
if (options.help) {
  console.log(usage);
  process.exit(0);
}

console.log('The @fcgi tour: Express over FastCGI behind a web server, php-fpm behind the Node gateway, an authorizer.\n');
const starting = startStack({ log: (line) => console.log(line) });
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping everything the tour started.`);
    stopAndExit(starting.catch(() => undefined), 0);
  });
}

let stack;
try {
  stack = await starting;
} catch (error) {
  console.error(`tour: could not start: ${error.message}`);
  process.exit(1);
}
if (!stopping) {
  console.log(formatSetup(stack).join('\n'));
  const failed = await runTour(stack, (text) => console.log(text));
  console.log(`\n${formatTryIt(stack).join('\n')}\n`);
  if (options.once) {
    console.log('--once: stopping everything the tour started.');
    stopping = true;
    stopAndExit(starting, failed > 0 ? 1 : 0);
  } else if (!stopping) {
    console.log('Serving until Ctrl-C.');
  }
}

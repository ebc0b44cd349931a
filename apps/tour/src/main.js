#!/usr/bin/env node
// `pnpm demo` (from the repository root) or `pnpm --filter @fcgi/app-tour start`: the
// end-to-end tour. Starts the stack, sends a few requests, prints what happened, then
// serves until Ctrl-C; `--once` stops after the tour (exit 0 when every step passed).
import { parseArgs } from 'node:util';
import { formatSetup, formatTryIt } from './print.js';
import { startStack } from './stack.js';
import { runTour } from './tour.js';

const usage = `Usage: pnpm demo [--once]    (or, in apps/tour: node src/main.js [--once])

Starts an Express app over FastCGI, nginx in front of it (the Node gateway when nginx is
not installed), php-fpm behind a Node gateway (skipped when php-fpm is not installed),
sends a few requests, prints each result, and serves until Ctrl-C.

  --once      exit after the tour: 0 when every step passed, 1 otherwise
  -h, --help  this text

FCGI_HIDE_PEERS=nginx,php-fpm pretends those programs are not installed.`;

function parseOptions() {
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift(); // `pnpm demo -- --once`, `npm run demo -- --once`
  try {
    return parseArgs({ args, options: { once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    console.error(`tour: ${error.message.split('\n')[0]} (try --help)`);
    process.exit(2);
  }
}

const options = parseOptions();
if (options.help) {
  console.log(usage);
  process.exit(0);
}

// A reader that went away (`pnpm demo | head`) must not stop the tour before it cleans up.
process.stdout.on('error', () => undefined);

console.log('The @fcgi tour: Express over FastCGI behind a web server, php-fpm behind the Node gateway, an authorizer.\n');
const starting = startStack({ log: (line) => console.log(line) });
let stopping = false;

/** Stops the stack (once it has started; at most 15 s) and exits with `code`. Runs once. */
function stopAndExit(code, message) {
  if (stopping) return;
  stopping = true;
  console.log(message);
  setTimeout(() => {
    console.error('tour: stopping took longer than 15 s; exiting anyway.');
    process.exit(1);
  }, 15_000).unref();
  starting.catch(() => undefined).then((stack) => stack?.stop()).then(() => process.exit(code), (error) => {
    console.error(`tour: while stopping: ${error.message}`);
    process.exit(1);
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stopAndExit(0, `\n${signal}: stopping everything the tour started.`));
for (const event of ['uncaughtException', 'unhandledRejection']) process.on(event, (error) => stopAndExit(1, `tour: ${event}: ${error?.stack ?? error}`));

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
  if (options.once) stopAndExit(failed > 0 ? 1 : 0, '--once: stopping everything the tour started.');
  else if (!stopping) console.log('Serving until Ctrl-C.');
}

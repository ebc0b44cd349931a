#!/usr/bin/env node
/**
 * The `fcgi` executable: a thin wrapper around {@link main}.
 *
 * @module
 */
import { main } from './main.js';

// A closed pipe (`fcgi decode big.bin | head`) ends the output quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const argv = process.argv.slice(2);
process.exitCode = await main(argv);
// A server's app may hold timers or sockets of its own (and a worker its IPC channel):
// once the serving command is done, the process ends.
if (argv[0] === 'serve' || argv[0] === 'gateway') process.exit(process.exitCode);

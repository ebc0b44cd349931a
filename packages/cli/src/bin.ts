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

process.exitCode = await main(process.argv.slice(2));

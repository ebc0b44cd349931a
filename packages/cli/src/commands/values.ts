/**
 * `fcgi values ADDRESS`: ask an app for its FastCGI limits with GET_VALUES.
 *
 * @module
 */
import type { Command, CommandContext } from '../command.js';
import { withClient } from '../client-session.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { writeOutput } from '../io.js';
import { parseTimeout } from '../request-params.js';

const defaultNames = ['FCGI_MAX_CONNS', 'FCGI_MAX_REQS', 'FCGI_MPXS_CONNS'];
const defaultTimeout = 5000;

async function runValues({ positionals, values, io }: CommandContext): Promise<number> {
  const [address = '', ...requested] = positionals;
  for (const name of requested) {
    if (!/^[\x21-\x7e]+$/.test(name)) throw usageError(`NAME must be printable ASCII with no spaces, got '${name}'`);
  }
  const names = requested.length > 0 ? requested : defaultNames;
  const timeout = typeof values.timeout === 'string' ? parseTimeout(values.timeout, '--timeout') : defaultTimeout;
  const answer = await withClient(address, timeout, (client) => client.getValues(names));
  const lines = Object.entries(answer).map(([name, value]) => `${name}=${value}\n`);
  await writeOutput(io.stdout, lines.join(''));
  return ExitCode.Ok;
}

/**
 * The `values` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * await main(['values', 'unix:/run/php/php8.2-fpm.sock']); // prints FCGI_MAX_CONNS=..., one per line
 * ```
 */
export const valuesCommand: Command = {
  name: 'values',
  summary: 'print the app\'s GET_VALUES answer, one NAME=value per line',
  usage: 'fcgi values ADDRESS [NAME...] [--timeout MS]',
  description: [
    'Sends a GET_VALUES management record to the FastCGI app at ADDRESS, asking for NAMEs',
    '(default FCGI_MAX_CONNS, FCGI_MAX_REQS and FCGI_MPXS_CONNS), and prints each value the',
    'app answered as NAME=value, one per line, in the order of its answer. Names the app',
    'does not know are left out of its answer, so they are not printed.',
  ].join('\n'),
  options: [
    { name: 'timeout', type: 'string', placeholder: 'MS', description: `give up after MS milliseconds (default ${defaultTimeout}; exit 28)` },
  ],
  positionals: { min: 1, max: 101, missing: 'ADDRESS' },
  examples: [
    'fcgi values 127.0.0.1:9000',
    'fcgi values unix:/run/php/php8.2-fpm.sock FCGI_MPXS_CONNS',
  ],
  exitCodes: [
    [ExitCode.Ok, 'the app answered'],
    [ExitCode.Usage, 'usage error'],
    [ExitCode.CouldNotConnect, 'could not connect to ADDRESS'],
    [ExitCode.ProtocolError, 'the answer was not valid FastCGI'],
    [ExitCode.Timeout, 'no answer within the timeout'],
  ],
  run: runValues,
};

#!/usr/bin/env node
// `pnpm --filter @fcgi/app-filter start [FILE.csv]`: starts the Filter app, sends it FILE
// (default sample/prices.csv) as the DATA stream, prints the HTML it answers, and exits.
// With --serve it keeps the app listening for your own Filter requests instead.
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFilterServer } from './filter-app.js';
import { sendFileToFilter } from './send-file.js';

const usage = `usage: node src/main.js [FILE.csv]            filter FILE once and print the HTML
       node src/main.js --serve [--port 9100]   keep the filter app listening on 127.0.0.1`;

const sampleFile = fileURLToPath(new URL('../sample/prices.csv', import.meta.url));

function parseCommandLine() {
  try {
    // `pnpm start -- FILE` passes the `--` on: drop it.
    const args = process.argv.slice(2).filter((argument) => argument !== '--');
    return parseArgs({ args, allowPositionals: true, options: { serve: { type: 'boolean' }, port: { type: 'string', default: '9100' }, help: { type: 'boolean' } } });
  } catch (error) {
    console.error(`${error.message}\n${usage}`);
    process.exit(2);
  }
}

async function listen(port) {
  const server = createFilterServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function filterOnce(file) {
  const server = await listen(0);
  const address = `127.0.0.1:${server.address().port}`;
  try {
    const answer = await sendFileToFilter(address, file).catch((error) => {
      console.error(`cannot filter ${file}: ${error.message}`);
      return undefined;
    });
    if (answer === undefined) return 1;
    console.log(`# sent ${file} (${answer.sentBytes} bytes, modified ${answer.lastModified.toISOString()}) to the filter at ${address}`);
    console.log(`# ${answer.status}, ${Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`).join(', ')}`);
    if (answer.stderr !== '') console.error(answer.stderr.trimEnd());
    process.stdout.write(answer.body);
    return answer.status === 200 && answer.end.appStatus === 0 ? 0 : 1;
  } finally {
    server.close();
  }
}

async function serve(port) {
  const server = await listen(port);
  console.log(`Filter app listening on 127.0.0.1:${server.address().port} (FastCGI). Try:`);
  console.log(`  fcgi request 127.0.0.1:${server.address().port} /prices.csv --role filter --data ${sampleFile}`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const { values, positionals } = parseCommandLine();
if (values.help) console.log(usage);
else if (values.serve) await serve(Number(values.port));
else process.exitCode = await filterOnce(positionals[0] ?? sampleFile);

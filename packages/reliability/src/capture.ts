/**
 * Captures real nginx <-> php-fpm traffic once into `fixtures/` (the fuzz corpus reads
 * it): a raw TCP proxy between a real nginx and a real php-fpm (from @fcgi/peers)
 * saves each connection's bytes, one file per direction. Needs nginx, php-fpm and curl.
 *
 *   node dist/capture.js
 *
 * @module
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { type Socket, connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface Captured {
  toApplication: Buffer[];
  toWebServer: Buffer[];
  closed: Promise<unknown>;
}

/** A proxy on 127.0.0.1 relaying to `upstreamPort`, keeping every byte. */
async function startProxy(upstreamPort: number): Promise<{ port: number; captured: Captured[]; close: () => void }> {
  const captured: Captured[] = [];
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const app = connect({ host: '127.0.0.1', port: upstreamPort });
    const entry: Captured = { toApplication: [], toWebServer: [], closed: Promise.all([once(client, 'close'), once(app, 'close')]) };
    captured.push(entry);
    sockets.push(client, app);
    client.on('data', (chunk: Buffer) => entry.toApplication.push(chunk));
    app.on('data', (chunk: Buffer) => entry.toWebServer.push(chunk));
    client.on('error', () => app.destroy());
    app.on('error', () => client.destroy());
    client.pipe(app);
    app.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    captured,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const scripts: Record<string, string> = {
  'index.php': '<?php header("Content-Type: text/html; charset=UTF-8"); setcookie("a", "1"); setcookie("b", "2"); echo "<h1>hello ", htmlspecialchars($_GET["name"] ?? "world"), "</h1>";',
  'form.php': '<?php echo "got ", count($_POST), " fields, ", strlen(file_get_contents("php://input")), " bytes";',
  'log.php': '<?php echo "before\\n"; flush(); error_log("a warning from php"); http_response_code(404); echo "after\\n";',
  'redirect.php': '<?php header("Location: /index.php?name=again");',
};

/** The requests captured, by fixture name. */
const requests: [string, string, Uint8Array | undefined][] = [
  ['get', '/index.php?name=fuzz&x=%0a1', undefined],
  ['post', '/form.php', new TextEncoder().encode(`a=1&b=${'x'.repeat(2000)}&c=%00%0d%0a`)],
  ['stderr', '/log.php?x=1', undefined],
  ['redirect', '/redirect.php', undefined],
  ['missing', '/nope.php', undefined],
];

const peers = await import('@fcgi/peers');
const php = await peers.startPhpFpm({ maxChildren: 1 });
const proxy = await startProxy(php.port as number);
const nginx = await peers.startNginx({ server: `root ${php.documentRoot};\n${peers.nginxFastcgiLocation({ pass: `127.0.0.1:${proxy.port}` })}` });
try {
  for (const [name, source] of Object.entries(scripts)) await peers.writeRunFile(php.documentRoot, name, source);
  for (const [name, path, body] of requests) {
    const before = proxy.captured.length;
    const result = await peers.curl(`${nginx.url}${path}`, body === undefined ? {} : { body, headers: ['Content-Type: application/x-www-form-urlencoded'] });
    const entry = proxy.captured[before];
    if (result.exitCode !== 0 || entry === undefined) throw new Error(`capture of ${name} failed: ${result.stderr}`);
    await entry.closed;
    writeFileSync(`${fixtures}nginx-${name}.to-app.bin`, Buffer.concat(entry.toApplication));
    writeFileSync(`${fixtures}php-fpm-${name}.to-web.bin`, Buffer.concat(entry.toWebServer));
    console.log(`${name}: ${Buffer.concat(entry.toApplication).length} bytes to php-fpm, ${Buffer.concat(entry.toWebServer).length} back (HTTP ${result.status})`);
  }
} finally {
  await nginx.stop();
  proxy.close();
  await php.stop();
}

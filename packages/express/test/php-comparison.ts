/**
 * The mount-direction comparison: the same requests to a small PHP app on real php-fpm,
 * through nginx and through a framework's fastcgi middleware/plugin, reduced to what must
 * match (status, the headers that matter, bodies).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync } from 'node:fs';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multipartBody } from './fastcgi-request.js';

const fixtureDirectory = fileURLToPath(new URL('./fixtures/php-app/', import.meta.url));

/** Copies the PHP app into `documentRoot`. */
export function installPhpApp(documentRoot: string): void {
  for (const name of readdirSync(fixtureDirectory)) copyFileSync(join(fixtureDirectory, name), join(documentRoot, name));
}

/** php.ini lines: sessions in the run directory. */
export function phpIni(sessionDirectory: string): string {
  return `session.save_path = "${sessionDirectory}"\nsession.use_strict_mode = 0\nupload_max_filesize = 8M\npost_max_size = 16M`;
}

/** The nginx `server` block text: static files, pretty URLs to /index.php$uri, PHP to php-fpm. */
export function nginxPhpServer(documentRoot: string, pass: string): string {
  return `root ${documentRoot};
    include /etc/nginx/mime.types;
    client_max_body_size 16m;
    location / {
      try_files $uri /index.php$uri$is_args$args;
    }
    location ~ ^(.+?\\.php)(/.*)?$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      fastcgi_pass ${pass};
    }`;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request from 127.0.0.2. */
export function fetchFrom(base: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const outgoing = httpRequest(url, { method: options.method ?? 'GET', headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(options.body.length) }) }, localAddress: '127.0.0.2' }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const mediaType = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value.split(';')[0]?.trim().toLowerCase() : undefined);
const cookieNames = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((cookie) => cookie.split('=')[0] ?? '').sort();

/** What must match between web servers: status, media type, Location, X-Script, cookie names, body. */
function reduce(answer: HttpAnswer): Record<string, unknown> {
  return {
    status: answer.status,
    type: mediaType(answer.headers['content-type']),
    location: answer.headers.location,
    script: answer.headers['x-script'],
    cookies: cookieNames(answer.headers['set-cookie']),
    body: answer.body.toString('utf8'),
  };
}

const upload = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 13) % 256));

/** Sends the comparison requests to `base`; returns one reduced answer per request, by name. */
export async function runPhpRequests(base: string): Promise<Record<string, Record<string, unknown>>> {
  const results: Record<string, Record<string, unknown>> = {};
  results.home = reduce(await fetchFrom(base, '/'));
  results.pretty = reduce(await fetchFrom(base, '/hello/world?q=1'));
  results.pathInfo = reduce(await fetchFrom(base, '/index.php/hello/direct'));
  results.notFound = reduce(await fetchFrom(base, '/nope/deeper'));
  results.static = reduce(await fetchFrom(base, '/style.css'));
  results.form = reduce(await fetchFrom(base, '/form', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('name=J%C3%B6rg&tags%5B%5D=a&tags%5B%5D=b') }));
  const boundary = 'fcgiBoundary42';
  results.upload = reduce(
    await fetchFrom(base, '/upload', { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipartBody(boundary, ['title', 'report'], { field: 'doc', name: 'data.bin', content: upload }) }),
  );
  results.echo = reduce(await fetchFrom(base, '/echo', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"big":"' + 'y'.repeat(300_000) + '"}') }));
  const login = await fetchFrom(base, '/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('user=alice') });
  results.login = reduce(login);
  const cookies = (login.headers['set-cookie'] ?? []).map((cookie) => cookie.split(';')[0]).join('; ');
  results.account = reduce(await fetchFrom(base, '/account', { headers: { cookie: cookies } }));
  return results;
}

/** The expected upload answer, to check the comparison is not equal by accident. */
export const expectedUploadMd5 = createHash('md5').update(upload).digest('hex');

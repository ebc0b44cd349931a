/**
 * Test helper: sends one HTTP-like request to a FastCGI app with the params nginx's
 * fastcgi_params would send, and collects the answer.
 */
import { Client, type RoleInput } from '@fcgi/client';

export interface TestRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  remoteAddress?: string;
  https?: boolean;
  role?: RoleInput;
  signal?: AbortSignal;
}

export interface TestResponse {
  status: number;
  headers: Readonly<Record<string, string | string[]>>;
  body: Buffer;
  text: string;
  json: () => unknown;
}

/** The CGI params of `request`, as nginx's fastcgi_params build them. */
export function cgiParams(request: TestRequest): Record<string, string> {
  const [path = '/', query = ''] = request.url.split('?');
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const params: Record<string, string> = {
    QUERY_STRING: query,
    REQUEST_METHOD: request.method ?? 'GET',
    CONTENT_TYPE: request.headers?.['content-type'] ?? '',
    CONTENT_LENGTH: body === undefined ? '' : String(body.length),
    SCRIPT_NAME: path,
    REQUEST_URI: request.url,
    DOCUMENT_URI: path,
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: request.https === true ? 'https' : 'http',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REMOTE_ADDR: request.remoteAddress ?? '203.0.113.7',
    REMOTE_PORT: '51234',
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: request.https === true ? '443' : '80',
    SERVER_NAME: 'example.test',
    HTTP_HOST: 'example.test',
  };
  if (request.https === true) params.HTTPS = 'on';
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') continue;
    params[`HTTP_${name.toUpperCase().replaceAll('-', '_')}`] = value;
  }
  return params;
}

/** Sends `request` through `client` and reads the whole answer. */
export async function send(client: Client, request: TestRequest): Promise<TestResponse> {
  const response = await client.request({
    params: cgiParams(request),
    body: request.body === undefined ? undefined : Buffer.from(request.body),
    ...(request.role === undefined ? {} : { role: request.role }),
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  response.stderr.resume();
  await response.done;
  const body = Buffer.concat(chunks);
  const text = body.toString('utf8');
  return { status: response.status, headers: response.headers, body, text, json: () => JSON.parse(text) as unknown };
}

/** A multipart/form-data body with one text field and one file. */
export function multipartBody(boundary: string, field: [string, string], file: { field: string; name: string; content: Buffer }): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field[0]}"\r\n\r\n${field[1]}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

export { Client };

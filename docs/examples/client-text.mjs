// The whole body at once: bytes(), text() and json() resolve after END_REQUEST.
import { Client } from '@fcgi/client';

const client = new Client({ address: process.env.PHP_FPM ?? '127.0.0.1:9000' });
const params = { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/hello.php' };

const response = await client.request({ params });
console.log(response.status, await response.text()); // the body decoded as UTF-8 (json() parses it)

// At most 1 MiB gathered (default: the client's maxBodyBytes, 16 MiB): a longer body
// rejects with ERR_FCGI_RESPONSE_TOO_LARGE and the request is aborted.
const bytes = await (await client.request({ params })).bytes({ maxBytes: 1024 * 1024 });
console.log(bytes.length, 'bytes');

// A body is read one way, once: after text(), `response.body` throws.
try {
  response.body.resume();
} catch (error) {
  console.log(error.code); // ERR_FCGI_BODY_USED
}
await client.close();

// client.dispatch(): the answer through callbacks, no stream or promise per request.
import { Client } from '@fcgi/client';

const client = new Client({ address: process.env.PHP_FPM ?? '127.0.0.1:9000' });
const chunks = [];
const answer = await new Promise((resolve, reject) => {
  const controller = client.dispatch({ params: { REQUEST_METHOD: 'GET', SCRIPT_FILENAME: '/srv/www/hello.php' } }, {
    onHead: (status, statusText, rawHeaders) => console.log(status, statusText, rawHeaders.map(([name]) => name)),
    onData: (chunk) => void chunks.push(chunk), // return false to pause, then controller.resume()
    onEnd: ({ appStatus }) => resolve({ appStatus, text: Buffer.concat(chunks).toString() }),
    onError: (error) => reject(error), // typed: error.code is ERR_FCGI_...
  });
  setTimeout(() => controller.abort(new Error('too slow')), 5000).unref();
});
console.log(answer.appStatus, answer.text.trim());
await client.close();

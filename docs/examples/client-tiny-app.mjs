import { createServer } from 'node:net';
import { RecordDecoder, RecordType, encodeRecord, encodeStream, concatBytes, decodeParams } from '@fcgi/codec';
import { Client } from '@fcgi/client';

// A tiny FastCGI app: answers every request with its SCRIPT_NAME (php-fpm style: no empty STDOUT).
const app = createServer((socket) => {
  const decoder = new RecordDecoder();
  let params = [];
  socket.on('data', (chunk) => {
    for (const record of decoder.push(chunk)) {
      if (record.type === RecordType.Params && record.content.length > 0) params.push(record.content);
      if (record.type === RecordType.Stdin && record.content.length === 0) {
        const script = decodeParams(concatBytes(params)).find((pair) => pair.name === 'SCRIPT_NAME')?.value;
        params = [];
        const reply = `Content-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nhello from ${script}\n`;
        socket.write(concatBytes([...encodeStream(RecordType.Stdout, record.requestId, new TextEncoder().encode(reply)),
          encodeRecord({ type: RecordType.EndRequest, requestId: record.requestId, appStatus: 0, protocolStatus: 0 })]));
      }
    }
  });
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));

// getValues: false because this tiny app does not answer GET_VALUES (php-fpm does).
const client = new Client({ address: `127.0.0.1:${app.address().port}`, getValues: false });
const response = await client.request({ params: { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/hello.php' } });
console.log(response.status, response.headers['content-type'], response.headers['set-cookie']);
for await (const chunk of response.body) process.stdout.write(chunk);
console.log(await response.done);

await client.close();
app.close();

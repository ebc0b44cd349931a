import { CgiHeadParser, ParamsDecoder, RecordDecoder, RecordType, encodeRecord, encodeParamsStream, encodeStream, concatBytes } from '@fcgi/codec';

// The bytes of one exchange, as a web server and an app would write them.
const bytes = concatBytes([
  encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: false }),
  ...encodeParamsStream(1, { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/index.php' }),
  encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) }),
  ...encodeStream(RecordType.Stdout, 1, new TextEncoder().encode('Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnothing here'), { end: true }),
  encodeRecord({ type: RecordType.EndRequest, requestId: 1, appStatus: 0, protocolStatus: 0 }),
]);

const decoder = new RecordDecoder();
const params = new ParamsDecoder();
const head = new CgiHeadParser();
// Any chunking works: here, 7 bytes at a time.
for (let offset = 0; offset < bytes.length; offset += 7) {
  for (const record of decoder.push(bytes.subarray(offset, offset + 7))) {
    if (record.type === RecordType.Params && record.content.length > 0) {
      for (const pair of params.push(record.content)) console.log(`${pair.name}=${pair.value}`);
    }
    if (record.type === RecordType.Stdout && record.content.length > 0 && !head.done) {
      const result = head.push(record.content);
      if (result) console.log(result.head.status, result.head.statusText, new TextDecoder().decode(result.rest));
    }
    if (record.type === RecordType.EndRequest) console.log('app status', record.appStatus);
  }
}
decoder.end(); // throws ERR_FCGI_TRUNCATED_RECORD if the capture was cut inside a record

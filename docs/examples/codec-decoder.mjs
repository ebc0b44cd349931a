// Decoding the records that arrive on a socket: chunks may cut records anywhere.
import { createServer, connect } from 'node:net';
import { RecordDecoder, RecordType, concatBytes, encodeParamsStream, encodeRecord, recordTypeName } from '@fcgi/codec';

const server = createServer((socket) => {
  const decoder = new RecordDecoder({ maxValuesPairs: 100 });
  socket.on('data', (chunk) => {
    for (const record of decoder.push(chunk)) console.log(recordTypeName(record.type), record.requestId);
  });
  socket.on('end', () => {
    decoder.end(); // throws ERR_FCGI_TRUNCATED_RECORD if the input stopped inside a record
    server.close();
  });
});

// A web server's side of one request, written one byte at a time.
server.listen(0, '127.0.0.1', () => {
  const bytes = concatBytes([
    encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: 1, keepConn: false }),
    ...encodeParamsStream(1, { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/index.php' }),
    encodeRecord({ type: RecordType.Stdin, requestId: 1, content: new Uint8Array(0) }),
  ]);
  const socket = connect(server.address().port, '127.0.0.1', () => {
    for (const byte of bytes) socket.write(Uint8Array.of(byte));
    socket.end();
  });
});

// The CGI head at the start of STDOUT, parsed as it arrives and written back.
import { CgiHeadParser, serializeCgiHead } from '@fcgi/codec';

const parser = new CgiHeadParser({ maxHeadBytes: 64 * 1024, maxHeaders: 200 });
const bytes = new TextEncoder().encode('Status: 404 Not Found\nContent-Type: text/plain\nSet-Cookie: a=1\nSet-Cookie: b=2\n\nno such page');
console.log(parser.push(bytes.subarray(0, 20))); // undefined: the blank line has not arrived yet
const result = parser.push(bytes.subarray(20));
console.log(result.head.status, result.head.statusText, result.head.headers);
console.log(new TextDecoder().decode(result.rest)); // the body bytes after the head

// The other direction: `Status:` first, CRLF line ends, header injection refused.
console.log(JSON.stringify(new TextDecoder().decode(serializeCgiHead({ status: 302, headers: { Location: '/login' } }))));

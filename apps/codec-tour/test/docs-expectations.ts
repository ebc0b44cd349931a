/**
 * What the docs/examples files must do, for docs-samples.test.ts: the requests each served
 * example must answer and what each run-to-exit example must print.
 */

/** One request a served example must answer: HTTP (a path) or FastCGI (params, a role). */
export type Probe = { http: string; method?: string; body?: string } | { fastcgi: Record<string, string>; role?: string };

/** Served examples: the requests sent to each, and what their answers (one line each, `status body`) must match. */
export const served: Record<string, { probes: Probe[]; answer: RegExp }> = {
  'gateway-minimal.mjs': { probes: [{ http: '/index.php?x=1' }], answer: /^200 \S+\/www\/index\.php $/ },
  'gateway-forwarder.mjs': {
    probes: [{ http: '/index.php' }, { http: '/style.css' }, { http: '/missing.php' }],
    answer: /^200 \S+\/www\/index\.php \n200 not for php: not-a-script\n\n200 not for php: missing-script\n$/,
  },
  'express-serve.mjs': {
    probes: [{ fastcgi: { REQUEST_METHOD: 'GET', REQUEST_URI: '/users/7', REMOTE_ADDR: '127.0.0.1', HTTP_X_FORWARDED_FOR: '203.0.113.9' } }],
    answer: /^200 \{"id":"7","ip":"203\.0\.113\.9","via":"responder"\}$/,
  },
  'express-php-fpm.mjs': {
    probes: [{ http: '/index.php' }, { http: '/pretty/url' }, { http: '/style.css' }],
    answer: /^200 \S+\/www\/index\.php \n200 \S+\/www\/index\.php \n200 body \{ color: teal; \}\n$/,
  },
  'fastify-serve.mjs': {
    probes: [{ fastcgi: { REQUEST_METHOD: 'GET', REQUEST_URI: '/users/7', REMOTE_ADDR: '127.0.0.1', HTTP_X_FORWARDED_FOR: '203.0.113.9' } }],
    answer: /^200 \{"id":"7","ip":"203\.0\.113\.9","role":"responder"\}$/,
  },
  'fastify-php-fpm.mjs': {
    probes: [{ http: '/index.php' }, { http: '/pretty/url' }, { http: '/health' }],
    answer: /^200 \S+\/www\/index\.php \n200 \S+\/www\/index\.php \n200 ok$/,
  },
  'fastify-authorizer.mjs': {
    probes: [
      { role: 'authorizer', fastcgi: { REQUEST_URI: '/', REMOTE_USER: 'alice', REMOTE_PASSWD: 'secret' } },
      { role: 'authorizer', fastcgi: { REQUEST_URI: '/', REMOTE_USER: 'alice', REMOTE_PASSWD: 'guess' } },
      { fastcgi: { REQUEST_METHOD: 'GET', REQUEST_URI: '/', TEAM: 'ops' } },
    ],
    answer: /^200 \{"TEAM":"ops"\}\n401 \{\}\n200 hello ops$/,
  },
  'fastify-proxy-routes.mjs': {
    probes: [{ http: '/blog/pretty/url' }, { http: '/legacy/upload.php', method: 'POST', body: '{"a":1}' }],
    answer: /^200 \S+\/www\/index\.php \n200 \S+\/www\/legacy\/upload\.php \{"a":1\}$/,
  },
};

/** What each run-to-exit example must print (beyond exiting 0); unlisted examples need only exit 0. */
export const printed: Record<string, RegExp> = {
  'serve-node-http.mjs': /^200 hello \/hi\?x=1 \(responder, request 1\)/,
  'serve-express.mjs': /^201 \{"created":"pen"\}/,
  'serve-fetch.mjs': /^200 application\/json \{"method":"GET","path":"\/who","name":"ada"\}/,
  'gateway-php-fpm.mjs': /^200 \S+\/www\/index\.php /,
  'client-php-fpm.mjs': /^200 text\/plain\n\/srv\/www\/echo\.php name=ada\n\{ appStatus: 0, protocolStatus: 0 \}/,
  'client-text.mjs': /^200 \/srv\/www\/hello\.php \n19 bytes\nERR_FCGI_BODY_USED\n$/,
  'client-dispatch.mjs': /^200 OK \[.*\]\n0 .*hello\.php/,
  'client-request.mjs': /^200 .*\n {2}'content-type': 'text\/plain',[\s\S]*\/srv\/www\/hello\.php \{ appStatus: 0, protocolStatus: 0 \}\n$/,
  'client-roles.mjs': /^\{ USER: 'ann' \}\nA DATA FILE \(modified 0\)\n$/,
  'client-balanced.mjs': /^\[\n {2}'200 \/srv\/www\/a\.php ',\n {2}'200 \/srv\/www\/b\.php ',\n {2}'200 \/srv\/www\/c\.php ',\n {2}'200 \/srv\/www\/d\.php '\n\]\n/,
  'client-tiny-app.mjs': /^200 text\/plain \[ 'a=1', 'b=2' \]\nhello from \/hello\.php\n\{ appStatus: 0, protocolStatus: 0 \}\n$/,
  'codec-parse-capture.mjs': /^REQUEST_METHOD=GET\nSCRIPT_NAME=\/index\.php\n404 Not Found nothing here\napp status 0\n$/,
  'codec-decoder.mjs': /^BEGIN_REQUEST 1\nPARAMS 1\nPARAMS 1\nSTDIN 1\n$/,
  'codec-cgi-head.mjs': /^undefined\n404 Not Found \[\n[\s\S]*'Set-Cookie', 'b=2'[\s\S]*\nno such page\n"Status: 302 Found\\r\\nLocation: \/login\\r\\n\\r\\n"\n$/,
  'test-inject.mjs': /# fail 0/,
  'test-mock-backend.mjs': /# fail 0/,
  'test-conformance.mjs': /# fail 0/,
  'vitest-helpers.test.mjs': /Tests +16 passed/,
  'cli-main.mjs': /FCGI_MPXS_CONNS/,
  'server-overview.mjs': /^200 hello 203\.0\.113\.7 \(responder, request 1\)\n\nclosed\n$/,
  'server-node-http.mjs': /^201 \[ 'seen=1; Path=\/', 'lang=en; Path=\/' \]\n\{"method":"POST","url":"\/notes\?draft=1".*"client":"203\.0\.113\.7","https":true,"body":"5 bytes, sha256 2cf24dba5fb0"/,
  'server-node-http-stream.mjs': /client: tick 1, tick 2, tick 3\n[\s\S]*server: aborted \(ERR_FCGI_REQUEST_ABORTED\)/,
  'server-koa.mjs': /^200 seen=1; path=\/; secure; httponly \{"name":"ada","ip":"203\.0\.113\.7","secure":true,"role":"responder"\}/,
  'server-fetch-stream.mjs': /^200 \[ 'a=1; Path=\/', 'b=2; Path=\/' \] \{"url":"http:\/\/example\.test\/info\?x=1".*\n200 HELLO, STREAMING É!\n$/,
  'server-authorizer.mjs': /^denied: 401 Bearer who are you\?\nallowed: true \{ USER: 'alice', TEAM: 'ops' \}\nresponder: hello alice of ops\n$/,
  'server-authorizer-listener.mjs': /^secret true 200 \{ TEAM: 'ops' \} \nguess false 401 \{\} wrong user or password\n$/,
  'server-filter.mjs': /^200 Fri, 02 Jan 2026 03:04:05 GMT\n33 bytes of file, 0 bytes of body\nDONE: write docs\nDONE: test them\n/,
  'peers-nginx-php.test.mjs': /Tests +1 (passed|skipped)/,
  'vitest-peers.test.mjs': /Tests +2 (passed|skipped)/,
  'test-peers.mjs': /# fail 0/,
  'test-express-inject.mjs': /# fail 0/,
};

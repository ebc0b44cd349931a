import { createHash } from 'node:crypto';
import { RecordType, Role, encodeParamsStream, encodeRecord, encodeStream } from '@fcgi/codec';
import { describe, expect, it } from 'vitest';
import { TestClient, baseParams, startServer } from './support/harness.js';

/** An authorizer request as Apache's mod_authnz_fcgi sends it: no STDIN record at all. */
function authorizerBytes(requestId: number, params: Record<string, string>): Uint8Array[] {
  return [encodeRecord({ type: RecordType.BeginRequest, requestId, role: Role.Authorizer, keepConn: true }), ...encodeParamsStream(requestId, params)];
}

describe('Authorizer role', () => {
  it('reaches the plain listener at the end of PARAMS, without any STDIN record', async () => {
    const { port } = await startServer({}, (req, res) => {
      expect(req.fastcgi.role).toBe('authorizer');
      if (req.headers.authorization === 'Bearer good') {
        res.setHeader('Variable-USER', 'alice');
        res.writeHead(200).end();
      } else res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end('who are you?');
    });
    const client = await TestClient.connect(port);
    client.send(authorizerBytes(1, baseParams('/private', { HTTP_AUTHORIZATION: 'Bearer good' })));
    const allowed = await client.cgiReply(1);
    expect(allowed.status).toBe(200);
    expect(allowed.header('variable-user')).toBe('alice');
    const from = client.records.length;
    client.send(authorizerBytes(2, baseParams('/private')));
    const denied = await client.cgiReply(2, 5000, from);
    expect(denied.status).toBe(401);
    expect(denied.body.toString()).toBe('who are you?');
  });

  it('writes a lower-cased variable- header as Variable- (Apache matches the prefix case-sensitively)', async () => {
    const { port } = await startServer({}, (_req, res) => {
      res.writeHead(200, { 'variable-user': 'alice' }).end();
    });
    const client = await TestClient.connect(port);
    client.send(authorizerBytes(1, baseParams('/private')));
    const allowed = await client.cgiReply(1);
    expect(allowed.headers.filter(([name]) => name.toLowerCase().startsWith('variable-'))).toEqual([['Variable-user', 'alice']]);
  });

  it('gives the body stream of an authorizer an immediate end', async () => {
    const { port } = await startServer({}, async (req, res) => {
      let size = 0;
      for await (const chunk of req) size += (chunk as Buffer).length;
      res.end(`body ${size}`);
    });
    const client = await TestClient.connect(port);
    client.send(authorizerBytes(1, baseParams()));
    expect((await client.cgiReply(1)).body.toString()).toBe('body 0');
  });

  it('runs a dedicated authorizer handler: allow with variables, deny with a status', async () => {
    const { port } = await startServer(
      {
        authorizer: (req) => (req.fastcgi.params.REMOTE_USER === 'alice' ? { allow: true, variables: { ROLE: 'admin', TEAM: 'ops' } } : { allow: false, status: 403, body: 'denied' }),
      },
      (_req, res) => res.end('responder'),
    );
    const client = await TestClient.connect(port);
    client.send(authorizerBytes(1, baseParams('/', { REMOTE_USER: 'alice' })));
    const allowed = await client.cgiReply(1);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.filter(([name]) => name.startsWith('Variable-'))).toEqual([['Variable-ROLE', 'admin'], ['Variable-TEAM', 'ops']]);
    let from = client.records.length;
    client.send(authorizerBytes(2, baseParams('/', { REMOTE_USER: 'mallory' })));
    const denied = await client.cgiReply(2, 5000, from);
    expect([denied.status, denied.body.toString()]).toEqual([403, 'denied']);
    // Responder requests still reach the listener.
    from = client.records.length;
    expect((await client.fetch(3)).body.toString()).toBe('responder');
    expect(from).toBeGreaterThan(0);
  });

  it('accepts a boolean from a dedicated authorizer', async () => {
    const { port } = await startServer({ authorizer: () => Promise.resolve(false) });
    const client = await TestClient.connect(port);
    client.send(authorizerBytes(1, baseParams()));
    expect((await client.cgiReply(1)).status).toBe(403);
  });
});

describe('Filter role', () => {
  it('exposes STDIN, then the DATA stream and FCGI_DATA_* params', async () => {
    const { port } = await startServer({}, async (req, res) => {
      expect(req.fastcgi.role).toBe('filter');
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const hash = createHash('sha256');
      for await (const chunk of req.fastcgi.data!) hash.update(chunk as Buffer);
      res.end(`${body}|${req.fastcgi.params.FCGI_DATA_LENGTH}|${req.fastcgi.params.FCGI_DATA_LAST_MOD}|${hash.digest('hex')}`);
    });
    const data = Buffer.alloc(300_000, 9);
    const client = await TestClient.connect(port);
    client.send(
      encodeRecord({ type: RecordType.BeginRequest, requestId: 1, role: Role.Filter, keepConn: true }),
      encodeParamsStream(1, baseParams('/file.txt', { FCGI_DATA_LENGTH: String(data.length), FCGI_DATA_LAST_MOD: '1700000000' })),
      encodeStream(RecordType.Stdin, 1, Buffer.from('stdin first'), { end: true }),
      encodeStream(RecordType.Data, 1, data, { end: true }),
    );
    const reply = await client.cgiReply(1);
    expect(reply.body.toString()).toBe(`stdin first|300000|1700000000|${createHash('sha256').update(data).digest('hex')}`);
  });

  it('ignores DATA records sent to a responder', async () => {
    const { port, connectionErrors } = await startServer({}, async (req, res) => {
      expect(req.fastcgi.data).toBeUndefined();
      for await (const _chunk of req) { /* drain */ }
      res.end('responder');
    });
    const client = await TestClient.connect(port);
    client.send(TestClient.requestBytes(1, { endStdin: false }), encodeStream(RecordType.Data, 1, Buffer.from('x'), { end: true }), encodeStream(RecordType.Stdin, 1, new Uint8Array(0), { end: true }));
    expect((await client.cgiReply(1)).body.toString()).toBe('responder');
    expect(connectionErrors).toEqual([]);
  });
});

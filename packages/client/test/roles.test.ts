import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RecordType, Role } from '@fcgi/codec';
import { type FakeHandler, readAll } from './support/fake-app.js';
import { useFakeAppClients } from './support/fake-app-clients.js';

const { setup } = useFakeAppClients();

describe('authorizer role', () => {
  const authorizer: FakeHandler = async (request, connection) => {
    const stdin = await request.stdin;
    if (request.params.HTTP_AUTHORIZATION === 'Bearer good') {
      connection.respond(request.requestId, `Variable-USER: ann\r\nVariable-ROLE: admin\r\nX-Stdin: ${stdin.length}`);
    } else {
      connection.respond(request.requestId, 'Status: 403 Forbidden\r\nContent-Type: text/plain', 'no');
    }
  };

  it('sends role AUTHORIZER with no body and reports allowed and the Variable-* values', async () => {
    const { app, client } = await setup(authorizer);
    const response = await client.request({ role: 'authorizer', params: { HTTP_AUTHORIZATION: 'Bearer good' } });
    expect(response.allowed).toBe(true);
    expect(response.variables).toEqual({ USER: 'ann', ROLE: 'admin' });
    expect(response.headers['x-stdin']).toBe('0');
    expect(app.requests[0]!.role).toBe(Role.Authorizer);
    expect(app.requests[0]!.params.CONTENT_LENGTH).toBeUndefined();
  });

  it('reports a denial with the app response', async () => {
    const { client } = await setup(authorizer);
    const response = await client.request({ role: 'authorizer', params: { HTTP_AUTHORIZATION: 'Bearer bad' } });
    expect(response.allowed).toBe(false);
    expect(response.status).toBe(403);
    expect(response.variables).toEqual({});
    expect((await readAll(response.body)).toString()).toBe('no');
  });

  it('refuses a body for an authorizer', async () => {
    const { client } = await setup(authorizer);
    await expect(client.request({ role: 'authorizer', body: 'x' })).rejects.toMatchObject({ code: 'ERR_FCGI_INVALID_OPTION' });
  });

  it('leaves allowed undefined for responders', async () => {
    const { client } = await setup((request, connection) => connection.respond(request.requestId, 'A: b'));
    const response = await client.request({});
    expect(response.allowed).toBeUndefined();
  });
});

describe('filter role', () => {
  const filter: FakeHandler = async (request, connection) => {
    const stdin = await request.stdin;
    const data = await request.data;
    connection.respond(request.requestId, 'Content-Type: text/plain', `${stdin.toString()}|${data.toString().toUpperCase()}`);
  };

  it('sends STDIN then DATA with FCGI_DATA_LENGTH and FCGI_DATA_LAST_MOD', async () => {
    const { app, client } = await setup(filter);
    const response = await client.request({ role: 'filter', body: 'in', data: 'file contents', dataLastModified: new Date(1_700_000_000_000) });
    expect((await readAll(response.body)).toString()).toBe('in|FILE CONTENTS');
    const request = app.requests[0]!;
    expect(request.role).toBe(Role.Filter);
    expect(request.params.FCGI_DATA_LENGTH).toBe('13');
    expect(request.params.FCGI_DATA_LAST_MOD).toBe('1700000000');
    const types = app.connections[0]!.records.map((record) => record.type).filter((type) => type === RecordType.Stdin || type === RecordType.Data);
    expect(types).toEqual([RecordType.Stdin, RecordType.Stdin, RecordType.Data, RecordType.Data]);
  });

  it('streams DATA from a Readable after a streamed body', async () => {
    const { app, client } = await setup(filter);
    const response = await client.request({
      role: 'filter',
      params: { FCGI_DATA_LENGTH: '6' },
      body: Readable.from([Buffer.from('in')]),
      data: Readable.from([Buffer.from('abc'), Buffer.from('def')]),
    });
    expect((await readAll(response.body)).toString()).toBe('in|ABCDEF');
    expect(app.requests[0]!.params.FCGI_DATA_LENGTH).toBe('6');
    expect(app.requests[0]!.params.FCGI_DATA_LAST_MOD).toBe('0');
  });

  it('refuses data for other roles', async () => {
    const { client } = await setup(filter);
    await expect(client.request({ data: 'x' })).rejects.toMatchObject({ code: 'ERR_FCGI_INVALID_OPTION' });
  });
});

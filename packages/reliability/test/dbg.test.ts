import { Client } from '@fcgi/client';
import { it } from 'vitest';
import { phpFpmResponse } from '../src/corpus.js';
import { startScriptedApp } from './support/scripted-app.js';
it('dbg', async () => {
  let connections = 0;
  const app = await startScriptedApp(({ requestId, index }) => ({ bytes: index === 0 ? phpFpmResponse('A: b', 'first', '', requestId) : new Uint8Array([0, 6, 0, 1, 0, 0, 0, 0]) }));
  app.server.on('connection', (s) => { connections++; s.on('close', () => console.log('app socket closed')); s.on('end', () => console.log('app socket got FIN')); });
  const c = new Client({ address: app.address, getValues: false, connections: 1 });
  const r = await c.request({ params: { A: 'b' } }); r.body.resume(); await r.done;
  console.log('after first', connections, c.stats ?? '');
  try { const r2 = await c.request({ params: { A: 'b' } }); r2.body.resume(); await r2.done; } catch (e) { console.log((e as Error).message); }
  console.log('after second', connections);
  await c.destroy();
});

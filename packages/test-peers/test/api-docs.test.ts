import { fileURLToPath } from 'node:url';
import { apiDocsReport } from '../src/index.js';
import { describe, expect, it } from 'vitest';

const kit = apiDocsReport(fileURLToPath(new URL('../src/index.ts', import.meta.url)), ['requirePeers', 'startNginx', 'startPhpFpm', 'apiDocsReport']);
const peers = apiDocsReport(fileURLToPath(new URL('../../peers/src/index.ts', import.meta.url)), ['requirePeers', 'startNginx', 'startPhpFpm']);

describe('public API documentation', () => {
  it('the test kit exports the fixed names, its own and those of @fcgi/peers', () => {
    expect(kit.missingFixedNames).toEqual([]);
  });

  it('documents every export of the test kit with JSDoc and an @example', () => {
    expect(kit.undocumented).toEqual([]);
  });

  it('documents every export of @fcgi/peers with JSDoc and an @example', () => {
    expect(peers.missingFixedNames).toEqual([]);
    expect(peers.undocumented).toEqual([]);
  });
});

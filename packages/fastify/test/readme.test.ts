import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as entry from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe('README examples', () => {
  it('has one example per direction, each at most 12 lines', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) expect(block.trim().split('\n').length).toBeLessThanOrEqual(12);
  });

  it('parse as JavaScript modules and import only names the package exports', () => {
    for (const block of blocks) {
      const output = ts.transpileModule(block, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, allowJs: true }, fileName: 'example.mjs' });
      expect(output.diagnostics ?? []).toEqual([]);
      for (const [, names] of block.matchAll(/import \{([^}]+)\} from '@fcgi\/fastify'/g)) {
        for (const name of (names as string).split(',').map((part) => part.trim())) expect(Object.keys(entry)).toContain(name);
      }
    }
  });
});

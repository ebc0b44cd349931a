import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** Every export of the public entry point, with whether its declaration has JSDoc and an `@example`. */
function exportedDocs(): { name: string; hasExample: boolean; hasDoc: boolean }[] {
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: ['node'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error('no entry');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('no module symbol');
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const tags = target.getJsDocTags(checker);
    const documentation = ts.displayPartsToString(target.getDocumentationComment(checker));
    return { name: symbol.getName(), hasDoc: documentation.trim().length > 0, hasExample: tags.some((tag) => tag.name === 'example') };
  });
}

describe('public API documentation', () => {
  const exports = exportedDocs();

  it('exports the fixed names of the architecture', () => {
    const names = exports.map((entry) => entry.name);
    for (const name of ['fastcgiServerFactory', 'serve', 'fastcgi', 'fastcgiRequest', 'fastcgiRoleConstraint', 'keepRawBody', 'FastCgiFastifyError']) {
      expect(names).toContain(name);
    }
  });

  it('documents every export with JSDoc and an @example', () => {
    const undocumented = exports.filter((entry) => !entry.hasDoc || !entry.hasExample).map((entry) => entry.name);
    expect(undocumented).toEqual([]);
  });
});

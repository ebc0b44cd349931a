/**
 * The documentation check every package runs on its public entry point: each export has a
 * JSDoc comment with an `@example`, and the architecture's fixed names are exported.
 *
 * @module
 */
import ts from 'typescript';

/**
 * What {@link apiDocsReport} found.
 *
 * @example
 * ```ts
 * const { undocumented, missingFixedNames }: ApiDocsReport = apiDocsReport(entryPath, ['Client']);
 * ```
 */
export interface ApiDocsReport {
  /** Every exported name. */
  readonly names: readonly string[];
  /** Fixed names the entry point does not export. */
  readonly missingFixedNames: readonly string[];
  /** Exports without a JSDoc text or without an `@example` tag. */
  readonly undocumented: readonly string[];
}

/**
 * Reads a TypeScript entry point with the compiler and reports its undocumented exports
 * and the fixed names it lacks.
 *
 * @example
 * ```ts
 * const report = apiDocsReport(fileURLToPath(new URL('../src/index.ts', import.meta.url)), ['createServer']);
 * expect(report.undocumented).toEqual([]);
 * ```
 */
export function apiDocsReport(entryPath: string, fixedNames: readonly string[] = []): ApiDocsReport {
  const program = ts.createProgram([entryPath], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: ['node'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entryPath);
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`Cannot read the module ${entryPath}`);
  const names: string[] = [];
  const undocumented: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const documentation = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
    const hasExample = target.getJsDocTags(checker).some((tag) => tag.name === 'example');
    names.push(symbol.getName());
    if (documentation === '' || !hasExample) undocumented.push(symbol.getName());
  }
  return { names, missingFixedNames: fixedNames.filter((name) => !names.includes(name)), undocumented };
}

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const errorsPage = readFileSync(join(root, 'docs/errors.md'), 'utf8');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every `'ERR_FCGI_...'` string literal in the published packages' sources. */
function codesInSources(): Map<string, string> {
  const codes = new Map<string, string>();
  const packages = join(root, 'packages');
  for (const name of readdirSync(packages)) {
    const manifest = JSON.parse(readFileSync(join(packages, name, 'package.json'), 'utf8')) as { private?: boolean };
    if (manifest.private === true) continue;
    for (const file of sourceFiles(join(packages, name, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/['`](ERR_FCGI_[A-Z0-9_]*[A-Z0-9])['`]/g)) {
        codes.set(match[1] as string, file.slice(root.length));
      }
    }
  }
  return codes;
}

describe('docs/errors.md', () => {
  it('lists every error code raised by a published package', () => {
    const codes = codesInSources();
    expect(codes.size).toBeGreaterThan(20);
    const missing = [...codes].filter(([code]) => !errorsPage.includes(`\`${code}\``)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });
});

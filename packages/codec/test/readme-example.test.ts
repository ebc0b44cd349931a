import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const distEntry = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
const directory = mkdtempSync(join(tmpdir(), 'fcgi-readme-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '');
}

describe('the README example', () => {
  it('runs against the built package and prints what the README says', () => {
    const [example] = codeBlocks('js');
    const [expected] = codeBlocks('text');
    const script = join(directory, 'example.mjs');
    writeFileSync(script, (example ?? '').replaceAll("'@fcgi/codec'", `'${distEntry}'`));
    const output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(output.trim()).toBe((expected ?? 'missing').trim());
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const clientEntry = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;
const codecEntry = pathToFileURL(fileURLToPath(new URL('../node_modules/@fcgi/codec/dist/index.js', import.meta.url))).href;
const directory = mkdtempSync(join(tmpdir(), 'fcgi-client-readme-'));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '');
}

describe('the README quick start', () => {
  it('runs against the built package and prints what the README says', () => {
    const [example] = codeBlocks('js');
    const [expected] = codeBlocks('text');
    const script = join(directory, 'example.mjs');
    writeFileSync(script, (example ?? '').replaceAll("'@fcgi/client'", `'${clientEntry}'`).replaceAll("'@fcgi/codec'", `'${codecEntry}'`));
    const output = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 15_000 });
    expect(output.trim()).toBe((expected ?? 'missing').trim());
  });
});

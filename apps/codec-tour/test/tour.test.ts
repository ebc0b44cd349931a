import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const mainScript = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('the codec tour (pnpm demo)', () => {
  const output = execFileSync(process.execPath, [mainScript], { encoding: 'utf8' });
  const lines = output.split('\n');

  it('prints every record of the exchange in order', () => {
    const types = lines.filter((line) => /^[A-Z_]+ +id=/.test(line)).map((line) => line.split(' ')[0]);
    expect(types).toEqual(['BEGIN_REQUEST', 'PARAMS', 'PARAMS', 'STDIN', 'STDIN', 'STDERR', 'STDERR', 'STDOUT', 'STDOUT', 'END_REQUEST']);
  });

  it('reassembles the params and the response head from uneven chunks', () => {
    expect(lines).toContain('  REQUEST_URI=/hello.php?name=world');
    expect(lines).toContain('params (12):');
    expect(lines).toContain('response: 200 OK, 14 body bytes');
    expect(lines.filter((line) => line.startsWith('  Set-Cookie:'))).toEqual(['  Set-Cookie: a=1', '  Set-Cookie: b=2']);
  });
});

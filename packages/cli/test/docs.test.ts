/** The README and docs/cli.md stay in step with the commands and with real output. */
import { readFileSync } from 'node:fs';
import { type FcgiRecord, concatBytes, encodeParams, encodeRecord } from '@fcgi/codec';
import { formatRecords } from '@fcgi/harness';
import { describe, expect, it } from 'vitest';
import { ExitCode, commands } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const guide = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

const exchange: FcgiRecord[] = [
  { type: 1, requestId: 1, role: 1, keepConn: true },
  { type: 4, requestId: 1, content: encodeParams({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/index.php' }) },
  { type: 4, requestId: 1, content: new Uint8Array(0) },
  { type: 5, requestId: 1, content: new Uint8Array(0) },
  { type: 6, requestId: 1, content: new TextEncoder().encode('Status: 200 OK\r\n\r\nhello') },
  { type: 6, requestId: 1, content: new Uint8Array(0) },
  { type: 3, requestId: 1, appStatus: 0, protocolStatus: 0 },
];
const transcript = formatRecords(concatBytes(exchange.map((record) => encodeRecord(record))));

describe.each([['README.md', readme], ['docs/cli.md', guide]])('%s', (_name, text) => {
  it('documents every command and every option', () => {
    for (const command of commands) {
      expect(text).toContain(`fcgi ${command.name}`);
      for (const option of command.options) expect(text).toContain(`--${option.name}`);
    }
  });

  it('lists every exit code', () => {
    for (const code of Object.values(ExitCode)) expect(text).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('shows the decode example exactly as fcgi decode prints it', () => {
    expect(text).toContain(`${transcript}\n\`\`\``);
  });
});

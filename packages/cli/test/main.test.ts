import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands, main } from '../src/index.js';
import { captureIo } from './support/io.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const captured = captureIo({ stdinIsTTY: true });
  const status = await main(argv, captured.io);
  return { status, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('fcgi help and version', () => {
  it.each([['--help'], ['-h'], ['help'], ['help', '--help']])('%s prints every command to stdout and exits 0', async (...argv) => {
    const { status, stdout, stderr } = await run(argv);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`fcgi ${version}`);
    for (const command of commands) expect(stdout).toMatch(new RegExp(`^  ${command.name} +${command.summary}$`, 'm'));
    for (const code of ['0', '2', '7', '8', '22', '28']) expect(stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
  });

  it.each(commands.map((command) => [command.name]))('documents every option of %s, the same way in all three forms', async (name) => {
    const command = commands.find((candidate) => candidate.name === name)!;
    const forms = await Promise.all([run([name, '--help']), run([name, '-h']), run(['help', name])]);
    for (const form of forms) {
      expect(form).toMatchObject({ status: 0, stderr: '' });
      expect(form.stdout).toBe(forms[0].stdout);
    }
    const help = forms[0].stdout;
    expect(help).toContain(command.usage);
    for (const option of [...command.options, { name: 'help' }, { name: 'debug' }]) expect(help).toMatch(new RegExp(`--${option.name}\\b.* {2,}\\S`));
    expect(help).toMatch(/^Examples:\n {2}fcgi /m);
  });

  it.each([['--version'], ['-V']])('%s prints the package version', async (flag) => {
    expect(await run([flag])).toEqual({ status: 0, stdout: `fcgi ${version}\n`, stderr: '' });
  });
});

const commandNames = commands.map((command) => command.name).join(', ');

describe('fcgi usage errors', () => {
  it.each([
    [['--bogus'], "fcgi: unknown option '--bogus' (see 'fcgi --help')"],
    [['-x'], "fcgi: unknown option '-x' (see 'fcgi --help')"],
    [[], "fcgi: no command given (see 'fcgi --help')"],
    [['frobnicate'], `fcgi: unknown command 'frobnicate'; commands: ${commandNames} (see 'fcgi --help')`],
    [['help', 'frobnicate'], `fcgi: unknown command 'frobnicate'; commands: ${commandNames} (see 'fcgi --help')`],
    [['help', 'decode', 'extra'], "fcgi: unexpected argument 'extra' (see 'fcgi --help')"],
    [['help', '--json'], "fcgi: unknown option '--json' (see 'fcgi --help')"],
    [['decode', '--bogus'], "fcgi decode: unknown option '--bogus' (see 'fcgi decode --help')"],
    [['decode', '-j'], "fcgi decode: unknown option '-j' (see 'fcgi decode --help')"],
    [['decode', '--json=yes', 'x'], "fcgi decode: option '--json' takes no value (see 'fcgi decode --help')"],
    [['decode', 'one', 'two'], "fcgi decode: unexpected argument 'two' (see 'fcgi decode --help')"],
  ])('%j is rejected in one line on stderr with exit code 2', async (argv, line) => {
    expect(await run(argv)).toEqual({ status: 2, stdout: '', stderr: `${line}\n` });
  });

  it('does not print a stack trace unless --debug is given', async () => {
    const plain = await run(['decode', 'no-such-file.bin']);
    expect(plain).toEqual({ status: 26, stdout: '', stderr: "fcgi decode: cannot read 'no-such-file.bin': no such file\n" });
    for (const argv of [['decode', 'no-such-file.bin', '--debug'], ['--debug', 'decode', 'no-such-file.bin']]) {
      const debug = await run(argv);
      expect(debug.status).toBe(26);
      expect(debug.stderr).toMatch(/^fcgi decode: FastCgiCliError: cannot read 'no-such-file.bin': no such file\n {4}at /);
    }
  });
});

/**
 * `fcgi decode [FILE|-] [--json]`: a raw FastCGI capture, one line per record.
 *
 * @module
 */
import { type RecordEntry, RecordTranscriber } from '@fcgi/harness';
import type { Command, CommandContext } from '../command.js';
import { usageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliOutput, readSource, writeOutput } from '../io.js';
import { recordJson } from './decode-json.js';

/** Writes entries as transcript lines, or as the elements of a JSON array. */
class EntryPrinter {
  readonly #output: CliOutput;
  readonly #json: boolean;
  #count = 0;

  constructor(output: CliOutput, json: boolean) {
    this.#output = output;
    this.#json = json;
  }

  async start(): Promise<void> {
    if (this.#json) await writeOutput(this.#output, '[');
  }

  async print(entries: readonly RecordEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const text = entries.map((entry) => this.#format(entry)).join('');
    await writeOutput(this.#output, text);
  }

  async finish(): Promise<void> {
    if (this.#json) await writeOutput(this.#output, this.#count === 0 ? ']\n' : '\n]\n');
  }

  #format(entry: RecordEntry): string {
    const first = this.#count === 0;
    this.#count++;
    if (!this.#json) return `${entry.line}\n`;
    return `${first ? '\n' : ',\n'}${JSON.stringify(recordJson(entry))}`;
  }
}

async function runDecode({ positionals, values, io }: CommandContext): Promise<number> {
  const source = positionals[0] ?? '-';
  if (positionals.length === 0 && io.stdin.isTTY === true) {
    throw usageError("no capture to read: give a FILE, or pipe one into 'fcgi decode -'");
  }
  const printer = new EntryPrinter(io.stdout, values.json === true);
  const transcriber = new RecordTranscriber();
  await printer.start();
  try {
    for await (const chunk of readSource(source, io)) {
      await printer.print(transcriber.push(chunk));
      if (transcriber.problem !== undefined) break;
    }
  } finally {
    await printer.finish();
  }
  const problem = transcriber.end();
  if (problem === undefined) return ExitCode.Ok;
  await writeOutput(io.stderr, `fcgi decode: ${problem.code} at byte ${problem.offset}: ${problem.message}\n`);
  return ExitCode.ProtocolError;
}

/**
 * The `decode` command.
 *
 * @example
 * ```ts
 * import { main } from '@fcgi/cli';
 * await main(['decode', 'capture.bin', '--json']);
 * ```
 */
export const decodeCommand: Command = {
  name: 'decode',
  summary: 'print a raw FastCGI capture, one line per record',
  usage: 'fcgi decode [FILE|-] [--json]',
  description: [
    'Reads raw FastCGI bytes (a capture of one direction of a connection) from FILE, or from',
    "standard input when FILE is '-' or left out, and prints exactly one line per record:",
    '',
    '  TYPE id=REQUEST_ID len=CONTENT_LENGTH pad=PADDING_LENGTH  PREVIEW',
    '',
    'The preview shows BEGIN_REQUEST role and keepConn, END_REQUEST appStatus and',
    'protocolStatus, PARAMS and GET_VALUES name=value pairs (a pair split across records is',
    "shown on the record that completes it), stream content as an escaped quoted string, and",
    "'end of stream' for an empty stream record. Nothing else goes to stdout.",
    '',
    'If the capture ends inside a record or is not FastCGI, the records before the problem',
    'are printed, then one line naming the error code and byte offset goes to stderr, and',
    'the exit status is 8.',
    '',
    'With --json, stdout is one JSON array with one object per record: offset, type,',
    'typeValue, requestId, contentLength, paddingLength, then per type: role/keepConn/flags,',
    'appStatus/protocolStatus, pairs (name/value), unknownType, or content (base64, lossless)',
    'with text (the content as UTF-8 text, when it is valid UTF-8) and endOfStream.',
  ].join('\n'),
  options: [{ name: 'json', type: 'boolean', description: 'print a JSON array with one object per record' }],
  positionals: { min: 0, max: 1 },
  examples: [
    'fcgi decode capture.bin',
    'fcgi decode - < capture.bin',
    'fcgi decode capture.bin --json | jq \'.[] | select(.type == "STDERR") | .text\'',
  ],
  exitCodes: [
    [ExitCode.Ok, 'the whole capture was decoded'],
    [ExitCode.Usage, 'usage error'],
    [ExitCode.ProtocolError, 'the capture is truncated or not valid FastCGI'],
    [ExitCode.ReadError, 'FILE or standard input could not be read'],
  ],
  run: runDecode,
};

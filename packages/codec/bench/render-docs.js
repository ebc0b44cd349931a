// @ts-check
/**
 * Generates `docs/benchmarks.md` from the benchmark results files of the workspace: every
 * `packages/<name>/bench/results/<suite>.json` with `"schema": 1` becomes one `##` section
 * (ordered by its `order`), each of its scenarios a `###` heading. A results file may have
 * a baseline next to it (`<suite>.baseline.json`, same schema) from before an
 * optimisation; the section then shows the ratios before and after, with the `changes`
 * listed in the baseline file. Results of `"kind": "tables"` (packages/bench) are rendered by
 * `render-tables.js`, with an SVG chart per scenario in docs/benchmarks/.
 *
 * Run by `bench/run.js` after each run, or alone: `node bench/render-docs.js`.
 *
 * @module
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tablesSection } from './render-tables.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** @typedef {{ median: number, min: number, max: number }} Stats */

/**
 * @param {number} value
 * @returns {string}
 */
function number(value) {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * @param {Stats} stats
 * @returns {string}
 */
function range(stats) {
  return `${number(stats.median)} (${number(stats.min)}–${number(stats.max)})`;
}

/**
 * @param {Stats} stats
 * @returns {string}
 */
function times(stats) {
  return `**${number(stats.median)}x** (${number(stats.min)}–${number(stats.max)})`;
}

/**
 * @param {number} bytes
 * @returns {string}
 */
function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * Every results file of the workspace, with its optional baseline.
 *
 * @returns {Array<{ path: string, report: any, baseline: any }>}
 */
function findResults() {
  const packagesDirectory = join(root, 'packages');
  /** @type {Array<{ path: string, report: any, baseline: any }>} */
  const found = [];
  for (const name of readdirSync(packagesDirectory).sort()) {
    const directory = join(packagesDirectory, name, 'bench', 'results');
    if (!existsSync(directory)) continue;
    for (const file of readdirSync(directory).sort()) {
      if (!file.endsWith('.json') || file.endsWith('.baseline.json')) continue;
      const report = JSON.parse(readFileSync(join(directory, file), 'utf8'));
      if (report?.schema !== 1) continue;
      const baselinePath = join(directory, file.replace(/\.json$/, '.baseline.json'));
      const baseline = existsSync(baselinePath) ? JSON.parse(readFileSync(baselinePath, 'utf8')) : undefined;
      found.push({ path: join('packages', name, 'bench', 'results', file), report, baseline });
    }
  }
  return found.sort((a, b) => (a.report.order ?? 100) - (b.report.order ?? 100) || String(a.report.suite).localeCompare(String(b.report.suite)));
}

/**
 * @param {any} report
 * @param {string} path
 * @param {any} baseline
 * @returns {string[]}
 */
function section(report, path, baseline) {
  const lines = [`## ${report.title}`, ''];
  const m = report.machine;
  const versions = Object.entries(report.packages).map(([name, version]) => `${name} ${String(version)}`).join(', ');
  lines.push(
    `Command: \`${report.command}\` (or \`pnpm bench\` at the root, which builds first). Results file: \`${path}\`.`,
    '',
    `Measured ${report.generatedAt.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node} (V8 ${m.v8}); ${versions}. The run took ${report.durationSeconds} s.`,
    '',
  );
  if (Array.isArray(report.targets) && report.targets.length > 0) {
    lines.push('### Targets', '', '| target | measured (median, min–max over rounds) | |', '|---|---|---|');
    for (const target of report.targets) lines.push(`| ${target.description} | ${times(target.measured)} | ${target.met ? 'met' : '**not met**'} |`);
    lines.push('');
  }
  for (const scenario of report.scenarios) {
    lines.push(`### ${scenario.title}`, '', `${scenario.description} ${size(scenario.wireBytes)} on the wire, ${scenario.records.toLocaleString('en-US')} records per operation.`, '');
    lines.push('| operation | contender | ops/s | MB/s | vs fastcgi-stream (same input) | vs memory copy |', '|---|---|---:|---:|---:|---:|');
    lines.push(`| copy | memory copy (\`Uint8Array#set\` of the same bytes) | ${range(scenario.memcpy.opsPerSecond)} | ${number(scenario.memcpy.megabytesPerSecond.median)} | | 1x |`);
    /** @type {string[]} */
    const notes = [];
    for (const operation of scenario.operations) {
      for (const contender of operation.contenders) {
        let label = contender.label;
        if (contender.note !== undefined) {
          notes.push(`${superscript(notes.length + 1)} ${contender.label}: ${contender.note}.`);
          label += ` ${superscript(notes.length)}`;
        }
        const peer = contender.id === (contender.versus ?? 'fastcgi-stream') ? '1x' : times(contender.versusFastcgiStream);
        lines.push(`| ${operation.operation} | ${label} | ${range(contender.opsPerSecond)} | ${number(contender.megabytesPerSecond.median)} | ${peer} | ${number(contender.versusMemcpy.median)}x |`);
      }
    }
    lines.push('');
    if (notes.length > 0) lines.push(...notes.map((note) => `${note}  `), '');
    if (Array.isArray(scenario.notes)) for (const note of scenario.notes) lines.push(note, '');
  }
  if (baseline !== undefined) lines.push(...beforeAfter(report, baseline));
  lines.push('### Method', '');
  lines.push(
    '- One process runs everything: each scenario\'s input bytes are built once (by @fcgi/codec\'s encoder) and handed as the same Node `Buffer` to every decoder; both encoders get the same params and body. Before timing, a check runs each contender once and compares what it touched (records, pair strings, content bytes) and what the encoders wrote (decoded again: types, request ids, content hashes).',
    '- fastcgi-stream is used as node-fastcgi uses it: one `FastCGIStream` over a socket-like emitter, records from `\'record\'` events, output through `writeRecord(requestId, new records.X(...))` into the socket\'s `write`. @fcgi/codec uses one `RecordDecoder` per connection and a `ParamsDecoder` per request for PARAMS; its encoders\' pieces go to the same `write`.',
    '- Every consumer touches each record (type field, content length, each pair\'s name and value string) into a checked sink. Decoded content is used as returned: @fcgi/codec returns views into the input, fastcgi-stream copies each record.',
    `- Timing: tinybench, ${report.method.rounds} rounds, ${report.method.timePerTaskMs} ms per task and round, samples batched to about ${report.method.sampleMs} ms. ${report.method.statistic}. ${report.method.megabyte}.`,
    '- The machine is shared and noisy: compare the ratios (both sides measured side by side in each round) rather than absolute rates across runs.',
    '',
  );
  return lines;
}

/**
 * @param {number} value
 * @returns {string}
 */
function superscript(value) {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return String(value).split('').map((digit) => digits[Number(digit)]).join('');
}

/**
 * The ratios before and after the optimisations listed in the baseline file.
 *
 * @param {any} report
 * @param {any} baseline
 * @returns {string[]}
 */
function beforeAfter(report, baseline) {
  const lines = ['### Before and after optimisation', ''];
  if (Array.isArray(baseline.changes)) {
    lines.push('Changes to the codec\'s hot paths, measured against a baseline run before them:', '');
    for (const change of baseline.changes) lines.push(`- ${change}`);
    lines.push('');
  }
  lines.push(`Baseline measured ${String(baseline.generatedAt).slice(0, 16).replace('T', ' ')} UTC with the same benchmark on the same machine, before the changes. The two runs are separate runs on a busy shared machine: the nginx-request and small-record encode ratios moved because of the changes; the large and small decode ratios against fastcgi-stream move with fastcgi-stream's own, very noisy, rate (see the notes above), not with @fcgi/codec's.`, '');
  lines.push('| scenario | operation | vs fastcgi-stream before | after | vs memory copy before | after |', '|---|---|---:|---:|---:|---:|');
  for (const scenario of report.scenarios) {
    const old = baseline.scenarios.find((/** @type {any} */ entry) => entry.id === scenario.id);
    for (const operation of scenario.operations) {
      const previous = old?.operations.find((/** @type {any} */ entry) => entry.operation === operation.operation);
      if (previous === undefined) continue;
      lines.push(`| ${scenario.title} | ${operation.operation} | ${number(previous.codecVersusFastcgiStream.median)}x | ${number(operation.codecVersusFastcgiStream.median)}x | ${number(previous.codecVersusMemcpy.median)}x | ${number(operation.codecVersusMemcpy.median)}x |`);
    }
  }
  lines.push('');
  return lines;
}

/**
 * One table of every target of every suite (informative ratios left out), so the page
 * opens with what is met and what is not; each row links to its section.
 *
 * @param {Array<{ report: any }>} results
 * @returns {string[]}
 */
function targetsAtAGlance(results) {
  const rows = [];
  for (const { report } of results) {
    for (const target of report.targets ?? []) {
      if (/informative/.test(target.description)) continue;
      const unit = target.unit === undefined ? 'x' : ` ${target.unit}`;
      const measured = report.kind === 'tables' ? `${target.measured.median.toFixed(2)}${unit}` : times(target.measured);
      rows.push(`| ${report.title ?? report.suite} | ${target.description} | ${measured} | ${target.met ? 'met' : '**not met**: see its analysis'} |`);
    }
  }
  if (rows.length === 0) return [];
  return ['## Targets at a glance', '', '| suite | target | median | |', '|---|---|---|---|', ...rows, ''];
}

/**
 * Writes `docs/benchmarks.md`; returns its path.
 *
 * @returns {string}
 */
export function renderBenchmarksDoc() {
  const results = findResults();
  const lines = [
    '# Benchmarks',
    '',
    '<!-- Generated by packages/codec/bench/render-docs.js from packages/*/bench/results/*.json; edit those, not this file. -->',
    '',
    'Each section comes from one benchmark suite run in one process, with its peer library and a physical limit measured side by side. Ratios above 1x mean @fcgi is faster. Values are medians over rounds, with the min–max range in parentheses.',
    '',
  ];
  if (results.length === 0) lines.push('No results yet: run `pnpm bench`.', '');
  lines.push(...targetsAtAGlance(results));
  for (const { path, report, baseline } of results) {
    lines.push(...(report.kind === 'tables' ? tablesSection(report, path, join(root, 'docs')) : section(report, path, baseline)));
  }
  const target = join(root, 'docs', 'benchmarks.md');
  writeFileSync(target, `${lines.join('\n').trimEnd()}\n`);
  return target;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(renderBenchmarksDoc());
}

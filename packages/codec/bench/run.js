// @ts-check
/**
 * The @fcgi/codec benchmark: every scenario decoded and encoded by @fcgi/codec and by npm
 * `fastcgi-stream`, next to a memory copy of the same bytes, in one process, interleaved
 * over several rounds. Prints a table, writes `bench/results/codec.json` and regenerates
 * `docs/benchmarks.md` from the results files.
 *
 * Run it with `pnpm --filter @fcgi/codec bench` (after `pnpm build`), or `pnpm bench` at the
 * root. Environment: BENCH_ROUNDS (default 5), BENCH_TIME_MS per task and round (default
 * 250), BENCH_OUT (results file), BENCH_NO_DOCS=1 to skip the docs page, BENCH_ONLY=id,id
 * to run some scenarios (for development; no targets are evaluated).
 *
 * @module
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { renderBenchmarksDoc } from './render-docs.js';
import { buildScenarios, takeSink, verify } from './scenarios.js';

// fastcgi-stream calls the deprecated `new Buffer()`; its warning is noise here.
process.noDeprecation = true;

const rounds = positiveInteger('BENCH_ROUNDS', 5);
const timeMs = positiveInteger('BENCH_TIME_MS', 250);
/** Each timed sample batches enough operations to last about this long. */
const sampleMs = 0.5;
const resultsUrl = new URL(process.env['BENCH_OUT'] ?? './results/codec.json', import.meta.url);

/**
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);

/**
 * @param {string} relative
 * @returns {string}
 */
function packageVersion(relative) {
  const json = /** @type {{ version: string }} */ (JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')));
  return json.version;
}

/**
 * A measured function with its batch size (operations per timed sample).
 *
 * @typedef {object} Job
 * @property {string} key
 * @property {string} scenario
 * @property {string} operation
 * @property {import('./scenarios.js').Contender} contender
 * @property {number} batch
 * @property {boolean} slow - One operation takes most of the time budget: no warmup, few samples.
 * @property {number[]} opsPerSecond - One value per round.
 */

/**
 * Times a few calls and picks a batch so one sample lasts about `sampleMs`. A function
 * whose first call took a good part of the time budget is run once per round instead.
 *
 * @param {() => void} run
 * @param {number} firstCallMs
 * @returns {{ batch: number, slow: boolean }}
 */
function calibrate(run, firstCallMs) {
  if (firstCallMs > timeMs / 4) return { batch: 1, slow: true };
  run();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < 20 && calls < 1_000_000) {
    run();
    calls++;
    elapsed = performance.now() - start;
  }
  const perCall = elapsed / calls;
  return { batch: Math.max(1, Math.round(sampleMs / perCall)), slow: perCall > timeMs / 4 };
}

/**
 * One round of one job: a fresh tinybench Bench with one task that runs `batch` operations.
 *
 * @param {Job} job
 * @returns {number} operations per second (from the median sample)
 */
function measure(job) {
  gc?.();
  const { batch, contender } = job;
  const run = contender.run;
  const bench = new Bench({
    time: job.slow ? 0 : timeMs,
    iterations: job.slow ? 1 : 10,
    warmup: !job.slow,
    warmupTime: 30,
    warmupIterations: 4,
    throws: true,
  });
  bench.add(job.key, () => {
    for (let index = 0; index < batch; index++) run();
  });
  const [task] = bench.runSync();
  const result = task?.result;
  if (result === undefined || !('latency' in result)) throw new Error(`${job.key}: no result (${result?.state ?? 'missing'})`);
  return (batch * 1000) / result.latency.p50;
}

/**
 * @param {readonly number[]} values
 * @returns {{ median: number, min: number, max: number }}
 */
function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? /** @type {number} */ (sorted[middle]) : (/** @type {number} */ (sorted[middle - 1]) + /** @type {number} */ (sorted[middle])) / 2;
  return { median, min: /** @type {number} */ (sorted[0]), max: /** @type {number} */ (sorted[sorted.length - 1]) };
}

/**
 * @param {{ median: number, min: number, max: number }} stats
 * @param {number} factor
 */
function scaled(stats, factor) {
  return { median: stats.median * factor, min: stats.min * factor, max: stats.max * factor };
}

/**
 * Per-round ratios of two jobs, summarised.
 *
 * @param {Job} numerator
 * @param {Job} denominator
 */
function ratio(numerator, denominator) {
  return summary(numerator.opsPerSecond.map((value, index) => value / /** @type {number} */ (denominator.opsPerSecond[index])));
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  };
}

function main() {
  const startedAt = Date.now();
  const only = process.env['BENCH_ONLY'];
  const scenarios = buildScenarios().filter((scenario) => only === undefined || only === '' || only.split(',').includes(scenario.id));
  const firstCalls = verify(scenarios);

  /** @type {Job[]} */
  const jobs = [];
  for (const scenario of scenarios) {
    /** @type {Array<[string, import('./scenarios.js').Contender]>} */
    const entries = [['copy', scenario.memcpy]];
    for (const operation of /** @type {const} */ (['decode', 'encode'])) {
      for (const contender of scenario.operations[operation]) entries.push([operation, contender]);
    }
    for (const [operation, contender] of entries) {
      const { batch, slow } = calibrate(contender.run, firstCalls.get(contender) ?? 0);
      jobs.push({ key: `${scenario.id}/${operation}/${contender.id}`, scenario: scenario.id, operation, contender, batch, slow, opsPerSecond: [] });
    }
  }
  takeSink();

  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no job always runs first or right after a slow one.
    const shift = Math.round((round * jobs.length) / rounds);
    for (let index = 0; index < jobs.length; index++) {
      const job = /** @type {Job} */ (jobs[(index + shift) % jobs.length]);
      job.opsPerSecond.push(measure(job));
    }
    process.stderr.write(`round ${round + 1}/${rounds} done (${((Date.now() - startedAt) / 1000).toFixed(0)} s)\n`);
  }
  const touched = takeSink();
  if (!(touched > 0)) throw new Error('the sink saw no work');

  /** @param {string} key */
  const job = (key) => {
    const found = jobs.find((candidate) => candidate.key === key);
    if (found === undefined) throw new Error(`no job ${key}`);
    return found;
  };

  const results = scenarios.map((scenario) => {
    const copy = job(`${scenario.id}/copy/memcpy`);
    const megabytes = scenario.wireBytes / 1e6;
    /** @param {Job} measured */
    const rates = (measured) => {
      const ops = summary(measured.opsPerSecond);
      return { opsPerSecond: ops, megabytesPerSecond: scaled(ops, megabytes), batch: measured.batch, samples: measured.opsPerSecond.map((value) => Math.round(value * 100) / 100) };
    };
    return {
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      wireBytes: scenario.wireBytes,
      records: scenario.records,
      notes: scenario.notes,
      memcpy: rates(copy),
      operations: /** @type {const} */ (['decode', 'encode']).map((operation) => {
        const ours = job(`${scenario.id}/${operation}/codec`);
        const peer = job(`${scenario.id}/${operation}/fastcgi-stream`);
        return {
          operation,
          contenders: scenario.operations[operation].map((contender) => {
            const measured = job(`${scenario.id}/${operation}/${contender.id}`);
            return {
              id: contender.id,
              label: contender.label,
              variant: contender.variant === true,
              ...(contender.note === undefined ? {} : { note: contender.note }),
              ...rates(measured),
              versus: contender.versus ?? 'fastcgi-stream',
              versusFastcgiStream: ratio(measured, job(`${scenario.id}/${operation}/${contender.versus ?? 'fastcgi-stream'}`)),
              versusMemcpy: ratio(measured, copy),
            };
          }),
          codecVersusFastcgiStream: ratio(ours, peer),
          codecVersusMemcpy: ratio(ours, copy),
        };
      }),
    };
  });

  /** @param {string} scenario @param {'decode' | 'encode'} operation */
  const operationOf = (scenario, operation) => {
    const found = results.find((entry) => entry.id === scenario)?.operations.find((entry) => entry.operation === operation);
    if (found === undefined) throw new Error(`no ${scenario}/${operation}`);
    return found;
  };
  const targets = only !== undefined && only !== '' ? [] : [
    ...results.flatMap((scenario) => /** @type {const} */ (['decode', 'encode']).map((operation) => {
      const measured = operationOf(scenario.id, operation).codecVersusFastcgiStream;
      return { id: `${scenario.id}/${operation}/vs-fastcgi-stream`, description: `${scenario.title}, ${operation}: @fcgi/codec / fastcgi-stream >= 3 (issue 8)`, threshold: 3, measured, met: measured.median >= 3 };
    })),
    (() => {
      const measured = operationOf('large-stdout', 'decode').codecVersusMemcpy;
      return { id: 'large-stdout/decode/vs-memcpy', description: '1 MiB STDOUT decode: @fcgi/codec / memory copy >= 0.67 (within 1.5x of the copy rate, issue 8)', threshold: 2 / 3, measured, met: measured.median >= 2 / 3 };
    })(),
  ];

  const report = {
    schema: 1,
    suite: 'codec',
    title: 'Codec',
    order: 10,
    command: 'pnpm --filter @fcgi/codec bench',
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    machine: machine(),
    packages: {
      '@fcgi/codec': packageVersion('../package.json'),
      'fastcgi-stream': packageVersion('../node_modules/fastcgi-stream/package.json'),
      tinybench: packageVersion('../node_modules/tinybench/package.json'),
    },
    method: {
      rounds,
      timePerTaskMs: timeMs,
      sampleMs,
      statistic: 'ops/s of a task = batch / median sample time within a round; reported value = median over rounds, with min-max; ratios are taken per round (both sides measured in the same round) and summarised the same way',
      megabyte: '1 MB = 10^6 bytes of wire data (headers, content and padding as @fcgi/codec frames it)',
    },
    scenarios: results,
    targets,
  };

  mkdirSync(dirname(fileURLToPath(resultsUrl)), { recursive: true });
  writeFileSync(resultsUrl, `${JSON.stringify(report, null, 2)}\n`);
  printTable(report);
  console.log(`\nresults: ${fileURLToPath(resultsUrl)}`);
  if (process.env['BENCH_NO_DOCS'] !== '1') console.log(`docs: ${renderBenchmarksDoc()}`);
}

/**
 * @param {number} value
 * @returns {string}
 */
function formatNumber(value) {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * @param {{ median: number, min: number, max: number }} stats
 * @returns {string}
 */
function formatRange(stats) {
  return `${formatNumber(stats.median)} (${formatNumber(stats.min)}-${formatNumber(stats.max)})`;
}

/**
 * @param {any} report
 */
function printTable(report) {
  const m = report.machine;
  console.log(`\n@fcgi/codec ${report.packages['@fcgi/codec']} vs fastcgi-stream ${report.packages['fastcgi-stream']} | ${m.cpu}, ${m.cores} cores | Node ${m.node} | tinybench ${report.packages.tinybench} | ${report.method.rounds} rounds, median (min-max)\n`);
  /** @type {string[][]} */
  const rows = [['scenario', 'op', 'contender', 'ops/s', 'MB/s', 'x fastcgi-stream', 'x memcpy']];
  for (const scenario of report.scenarios) {
    rows.push([scenario.id, 'copy', 'memory copy', formatRange(scenario.memcpy.opsPerSecond), formatNumber(scenario.memcpy.megabytesPerSecond.median), '', '1']);
    for (const operation of scenario.operations) {
      for (const contender of operation.contenders) {
        rows.push([scenario.id, operation.operation, contender.label, formatRange(contender.opsPerSecond), formatNumber(contender.megabytesPerSecond.median), formatRange(contender.versusFastcgiStream), formatRange(contender.versusMemcpy)]);
      }
    }
  }
  const widths = /** @type {string[]} */ (rows[0]).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) console.log(row.map((cell, column) => (column >= 3 ? cell.padStart(/** @type {number} */ (widths[column])) : cell.padEnd(/** @type {number} */ (widths[column])))).join('  '));
  console.log('\ntargets:');
  for (const target of report.targets) console.log(`  ${target.met ? 'met    ' : 'MISSED '} ${target.description}: ${formatRange(target.measured)}`);
}

main();

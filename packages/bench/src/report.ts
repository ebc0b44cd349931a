/**
 * Results files: one JSON per suite in `packages/bench/bench/results/`, in the form
 * `packages/codec/bench/render-docs.js` renders (`"kind": "tables"`), then the docs page.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Machine, describeMachine, packageVersion, toolVersion } from './machine.js';
import type { Stats } from './stats.js';

/** A target with its measured ratio. */
export interface Target {
  description: string;
  measured: Stats;
  met: boolean;
  /** Unit of `measured` when it is not a ratio ("x"), e.g. "GB/s". */
  unit?: string;
}

/** One bar of a scenario's chart. */
export interface Bar {
  label: string;
  value: number;
}

/** One scenario's table (cells already formatted), notes and chart. */
export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
  chart?: { unit: string; bars: Bar[] };
}

/** A suite's results file. */
export interface SuiteReport {
  schema: 1;
  kind: 'tables';
  suite: string;
  title: string;
  order: number;
  command: string;
  generatedAt: string;
  durationSeconds: number;
  machine: Machine;
  packages: Record<string, string>;
  targets: Target[];
  scenarios: ScenarioResult[];
  method: string[];
}

/** What a scenario module returns. */
export type SuiteBody = Pick<SuiteReport, 'suite' | 'title' | 'order' | 'targets' | 'scenarios' | 'method'>;

/** Directory of the results files. */
export const resultsDirectory = fileURLToPath(new URL('../bench/results/', import.meta.url));

/**
 * The versions printed with every report.
 *
 * @example
 * ```ts
 * versions()['nginx'];
 * ```
 */
export function versions(): Record<string, string> {
  return {
    '@fcgi/server': packageVersion('@fcgi/server'),
    '@fcgi/client': packageVersion('@fcgi/client'),
    'node-fastcgi': packageVersion('node-fastcgi'),
    'fastcgi-client': packageVersion('fastcgi-client'),
    nginx: toolVersion('nginx', ['-v']).replace(/^nginx version: /, ''),
    'php-fpm': toolVersion('php-fpm8.2', ['-v']).split(' (')[0] ?? 'missing',
    haproxy: toolVersion('haproxy', ['-v']).split(' - ')[0] ?? 'missing',
    wrk: toolVersion('wrk', ['-v']).split(' [')[0] ?? 'missing',
  };
}

/**
 * Writes `bench/results/<suite>.json` and returns its path.
 *
 * @example
 * ```ts
 * writeReport(body, started, 'node dist/run-all.js nginx');
 * ```
 */
export function writeReport(body: SuiteBody, startedAt: number, command: string): string {
  const report: SuiteReport = {
    schema: 1,
    kind: 'tables',
    ...body,
    command,
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    machine: describeMachine(),
    packages: versions(),
  };
  mkdirSync(resultsDirectory, { recursive: true });
  const path = join(resultsDirectory, `${body.suite}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

/**
 * Prints a scenario's table to the console (markdown, as in the docs).
 *
 * @example
 * ```ts
 * printScenario(result);
 * ```
 */
export function printScenario(result: ScenarioResult): void {
  console.log(`\n${result.title}`);
  console.log(`| ${result.columns.join(' | ')} |`);
  for (const row of result.rows) console.log(`| ${row.join(' | ')} |`);
}

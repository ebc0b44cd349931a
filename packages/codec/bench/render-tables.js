// @ts-check
/**
 * Renders a results file of `"kind": "tables"` (the end-to-end suites of packages/bench):
 * targets, one table per scenario with its cells already formatted, notes, an SVG bar chart
 * per scenario (written next to docs/benchmarks.md, in docs/benchmarks/), the method, and
 * the hand-written analysis `../analysis/<suite>.md` next to the results directory, if any
 * (what bounds a gap: it is prose about the numbers, so it lives outside the results file).
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * @param {string} text
 * @returns {string}
 */
function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * @param {number} value
 * @returns {string}
 */
function short(value) {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * A horizontal bar chart as SVG text.
 *
 * @param {string} title
 * @param {{ unit: string, bars: Array<{ label: string, value: number }> }} chart
 * @returns {string}
 */
export function barChartSvg(title, chart) {
  const labelWidth = 380;
  const barWidth = 300;
  const rowHeight = 24;
  const top = 30;
  const max = Math.max(...chart.bars.map((bar) => bar.value), 1e-9);
  const height = top + chart.bars.length * rowHeight + 10;
  const rows = chart.bars.map((bar, index) => {
    const y = top + index * rowHeight;
    const width = Math.max(1, Math.round((bar.value / max) * barWidth));
    const color = bar.label.includes('@fcgi') ? '#2f6fb0' : '#9aa5b1';
    return `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(bar.label)}</text><rect x="${labelWidth}" y="${y + 4}" width="${width}" height="16" fill="${color}"/><text x="${labelWidth + width + 6}" y="${y + 16}">${short(bar.value)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 110}" height="${height}" font-family="sans-serif" font-size="12"><text x="8" y="18" font-weight="bold">${escapeXml(title)} (${escapeXml(chart.unit)}, median)</text>${rows.join('')}</svg>\n`;
}

/**
 * The markdown lines of one `"kind": "tables"` results file; writes its charts under
 * `docsDirectory/benchmarks/`.
 *
 * @param {any} report
 * @param {string} path - The results file, relative to the workspace root.
 * @param {string} docsDirectory
 * @returns {string[]}
 */
export function tablesSection(report, path, docsDirectory) {
  const m = report.machine;
  const versions = Object.entries(report.packages).map(([name, version]) => `${name} ${String(version)}`).join(', ');
  const lines = [
    `## ${report.title}`,
    '',
    `Command: \`${report.command}\` (or \`pnpm bench\` at the root, which builds first and runs every suite). Results file: \`${path}\`.`,
    '',
    `Measured ${String(report.generatedAt).slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node} (V8 ${m.v8}); ${versions}. The run took ${report.durationSeconds} s.`,
    '',
  ];
  if (report.targets.length > 0) {
    lines.push('### Targets', '', '| target | measured (median, min–max over rounds) | |', '|---|---|---|');
    for (const target of report.targets) {
      const unit = target.unit === undefined ? 'x' : ` ${target.unit}`;
      lines.push(`| ${target.description} | **${short(target.measured.median)}${unit}** (${short(target.measured.min)}–${short(target.measured.max)}) | ${/informative/.test(target.description) ? 'informative, no target' : target.met ? 'met' : '**not met**'} |`);
    }
    lines.push('');
  }
  const chartDirectory = join(docsDirectory, 'benchmarks');
  for (const scenario of report.scenarios) {
    lines.push(`### ${scenario.title}`, '', scenario.description, '');
    lines.push(`| ${scenario.columns.join(' | ')} |`, `|${scenario.columns.map((/** @type {string} */ _column, /** @type {number} */ index) => (index === 0 ? '---' : '---:')).join('|')}|`);
    for (const row of scenario.rows) lines.push(`| ${row.join(' | ')} |`);
    lines.push('');
    if (scenario.chart !== undefined) {
      mkdirSync(chartDirectory, { recursive: true });
      const file = `${report.suite}-${scenario.id}.svg`;
      writeFileSync(join(chartDirectory, file), barChartSvg(scenario.title, scenario.chart));
      lines.push(`![${scenario.title}](benchmarks/${file})`, '');
    }
    for (const note of scenario.notes ?? []) lines.push(note, '');
  }
  const analysisPath = join(docsDirectory, '..', dirname(path), '..', 'analysis', `${report.suite}.md`);
  if (existsSync(analysisPath)) lines.push('### Analysis', '', readFileSync(analysisPath, 'utf8').trim(), '');
  if (report.method.length > 0) {
    lines.push('### Method', '');
    for (const item of report.method) lines.push(`- ${item}`);
    lines.push('');
  }
  return lines;
}

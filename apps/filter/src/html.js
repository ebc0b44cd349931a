// The HTML the filter writes: a page with one table, every cell escaped.

const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * escapeHtml('<b>"hi"</b>'); // '&lt;b&gt;&quot;hi&quot;&lt;/b&gt;'
 * @param {string} text
 */
export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (character) => entities[character]);
}

/**
 * The page head and the opening of the table.
 *
 * @example
 * pageStart('prices.csv'); // '<!doctype html>...<table>\n'
 * @param {string} title
 */
export function pageStart(title) {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n<table>\n`;
}

/**
 * One table row; the first row of the file is the header row.
 *
 * @example
 * tableRow(['a', 'b'], true); // '<tr><th>a</th><th>b</th></tr>\n'
 * @param {string[]} cells
 * @param {boolean} header
 */
export function tableRow(cells, header) {
  const tag = header ? 'th' : 'td';
  // Line breaks inside a quoted CSV field become <br>.
  const rendered = cells.map((cell) => `<${tag}>${escapeHtml(cell).replace(/\r?\n/g, '<br>')}</${tag}>`);
  return `<tr>${rendered.join('')}</tr>\n`;
}

/**
 * The end of the table and a footer saying what the filter received.
 *
 * @example
 * pageEnd('5 rows from 312 bytes'); // '</table>\n<footer>5 rows from 312 bytes</footer>...'
 * @param {string} summary
 */
export function pageEnd(summary) {
  return `</table>\n<footer>${escapeHtml(summary)}</footer>\n</body></html>\n`;
}

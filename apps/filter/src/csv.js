// An incremental CSV parser (RFC 4180): quoted fields, "" escapes, commas and line breaks
// inside quotes, CRLF or LF line ends. Text goes in as it arrives; complete rows come out.

/**
 * Parses CSV text fed in pieces of any size.
 *
 * @example
 * const parser = new CsvParser();
 * parser.push('a,"b,\nc"\r\nd'); // [['a', 'b,\nc']]
 * parser.end();                  // [['d']]
 */
export class CsvParser {
  #field = '';
  #row = [];
  #quoted = false;
  /** After a closing quote: the next character decides (another quote = an escaped one). */
  #quoteClosed = false;
  /** A CR was seen outside quotes: a following LF belongs to the same line end. */
  #afterCarriageReturn = false;
  #rowStarted = false;

  /**
   * Feeds text; returns the rows completed by it.
   * @param {string} text
   * @returns {string[][]}
   */
  push(text) {
    const rows = [];
    for (const character of text) {
      const row = this.#consume(character);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }

  /**
   * Ends the input; returns the last row when the text did not end with a line break.
   * @returns {string[][]}
   */
  end() {
    if (!this.#rowStarted) return [];
    return [this.#finishRow()];
  }

  /** @param {string} character @returns {string[] | undefined} */
  #consume(character) {
    const afterCarriageReturn = this.#afterCarriageReturn;
    this.#afterCarriageReturn = false;
    if (this.#quoted) {
      if (character !== '"') this.#field += character;
      else {
        this.#quoted = false;
        this.#quoteClosed = true;
      }
      return undefined;
    }
    if (character === '"') {
      if (this.#quoteClosed) this.#field += '"';
      this.#quoted = true;
      this.#quoteClosed = false;
      this.#rowStarted = true;
      return undefined;
    }
    this.#quoteClosed = false;
    if (character === '\n' && afterCarriageReturn) return undefined;
    if (character === '\r' || character === '\n') {
      this.#afterCarriageReturn = character === '\r';
      return this.#rowStarted ? this.#finishRow() : undefined; // blank lines are skipped
    }
    this.#rowStarted = true;
    if (character === ',') {
      this.#row.push(this.#field);
      this.#field = '';
    } else this.#field += character;
    return undefined;
  }

  #finishRow() {
    const row = [...this.#row, this.#field];
    this.#row = [];
    this.#field = '';
    this.#rowStarted = false;
    return row;
  }
}

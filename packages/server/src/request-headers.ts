/**
 * The request headers node:http would give, from the params: `HTTP_X_FOO` becomes
 * `x-foo`; CONTENT_TYPE and CONTENT_LENGTH become `content-type` and `content-length`.
 *
 * @module
 */
import type { NameValuePair } from '@fcgi/codec';

/**
 * HTTP headers from the params: `HTTP_X_FOO` becomes `x-foo`; CONTENT_TYPE and
 * CONTENT_LENGTH become `content-type` and `content-length`. Returns node's flat
 * `rawHeaders` list.
 *
 * @example
 * ```ts
 * requestHeaders([{ name: 'HTTP_USER_AGENT', value: 'curl' }]); // ['user-agent', 'curl']
 * ```
 */
export function requestHeaders(pairs: readonly Pick<NameValuePair, 'name' | 'value'>[]): string[] {
  return headersFromList(
    listSource(
      pairs.map((pair) => pair.name),
      pairs.map((pair) => pair.value),
    ),
  );
}

/** How many distinct `HTTP_*` names {@link headerName} remembers before it starts over. */
const rememberedHeaderNames = 512;
const headerNames = new Map<string, string>();

/** `HTTP_X_FOO` to `x-foo`, remembered: web servers send the same few names on every request. */
function headerName(param: string): string {
  let header = headerNames.get(param);
  if (header === undefined) {
    header = param.slice(5).toLowerCase().replaceAll('_', '-');
    if (headerNames.size >= rememberedHeaderNames) headerNames.clear();
    headerNames.set(param, header);
  }
  return header;
}

/**
 * The params as {@link headersFromList} reads them: by index, with names compared and
 * decoded only as needed (the fast path's record decodes only the header pairs).
 *
 * @example
 * ```ts
 * const source: HeaderSource = listSource(['HTTP_HOST'], ['example.com']);
 * source.isHeader(0); // true
 * ```
 */
export interface HeaderSource {
  readonly count: number;
  /** True when the name of pair `index` is `name`. */
  isNamed(index: number, name: string): boolean;
  /** True when pair `index` is `HTTP_` and at least one more character. */
  isHeader(index: number): boolean;
  name(index: number): string;
  /** The value's exact bytes as latin1 text. */
  latin1Value(index: number): string;
}

/**
 * A {@link HeaderSource} over plain name and value lists.
 *
 * @example
 * ```ts
 * headersFromList(listSource(['HTTP_ACCEPT'], ['text/html'])); // ['accept', 'text/html']
 * ```
 */
export function listSource(names: readonly string[], values: readonly string[]): HeaderSource {
  return {
    count: names.length,
    isNamed: (index, name) => names[index] === name,
    isHeader: (index) => {
      const name = names[index] as string;
      return name.length > 5 && name.startsWith('HTTP_');
    },
    name: (index) => names[index] as string,
    latin1Value: (index) => values[index] as string,
  };
}

/** Pushes the first non-empty value of param `name` under `header`, if any. */
function pushFirst(raw: string[], source: HeaderSource, name: string, header: string): void {
  for (let index = 0; index < source.count; index++) {
    if (!source.isNamed(index, name)) continue;
    const value = source.latin1Value(index);
    if (value === '') continue;
    raw.push(header, value);
    return;
  }
}

/**
 * {@link requestHeaders} over a {@link HeaderSource}: the first non-empty CONTENT_TYPE and
 * CONTENT_LENGTH, then each `HTTP_*` header once (the first of duplicates), in order.
 *
 * @example
 * ```ts
 * headersFromList(listSource(['CONTENT_TYPE', 'HTTP_X_A'], ['text/plain', '1'])); // ['content-type', 'text/plain', 'x-a', '1']
 * ```
 */
export function headersFromList(source: HeaderSource): string[] {
  const raw: string[] = [];
  pushFirst(raw, source, 'CONTENT_TYPE', 'content-type');
  pushFirst(raw, source, 'CONTENT_LENGTH', 'content-length');
  let seen: Set<string> | undefined;
  for (let index = 0; index < source.count; index++) {
    if (!source.isHeader(index)) continue;
    const header = headerName(source.name(index));
    if (raw.length >= setFrom) {
      // Many headers: a set; below that, comparing the few names (same strings) is cheaper than building one.
      if (seen === undefined) {
        seen = new Set();
        for (let at = 0; at < raw.length; at += 2) seen.add(raw[at] as string);
      }
      if (seen.has(header)) continue;
      seen.add(header);
    } else if (listed(raw, header)) {
      continue;
    }
    raw.push(header, source.latin1Value(index));
  }
  return raw;
}

/** Length of the raw list (2 entries per header) from which duplicates are found with a set. */
const setFrom = 32;

/** True when `header` is already a name in the raw list. */
function listed(raw: readonly string[], header: string): boolean {
  for (let at = 0; at < raw.length; at += 2) if (raw[at] === header) return true;
  return false;
}

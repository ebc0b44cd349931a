/**
 * Escaping and previews for the record transcript: every byte sequence becomes one line of
 * printable ASCII, so a transcript never breaks a terminal or a line-based tool.
 *
 * @module
 */
import type { NameValuePair } from '@fcgi/codec';

const hexDigits = '0123456789abcdef';

/** The escape of one byte inside a quoted preview. */
function escapeByte(byte: number): string {
  switch (byte) {
    case 0x0a: return '\\n';
    case 0x0d: return '\\r';
    case 0x09: return '\\t';
    case 0x22: return '\\"';
    case 0x5c: return '\\\\';
    default:
      if (byte >= 0x20 && byte <= 0x7e) return String.fromCharCode(byte);
      return `\\x${hexDigits[byte >> 4] as string}${hexDigits[byte & 15] as string}`;
  }
}

/**
 * Bytes as a double-quoted, escaped, single-line string of at most about `maxCharacters`
 * characters, followed by ` (+N bytes)` when it had to stop early.
 *
 * @example
 * ```ts
 * quoteBytes(new TextEncoder().encode('a\r\nb'), 80); // '"a\\r\\nb"'
 * ```
 */
export function quoteBytes(bytes: Uint8Array, maxCharacters: number): string {
  let text = '"';
  let index = 0;
  for (; index < bytes.length; index++) {
    const escaped = escapeByte(bytes[index] as number);
    if (text.length + escaped.length + 1 > maxCharacters && index > 0) break;
    text += escaped;
  }
  text += '"';
  return index < bytes.length ? `${text}... (+${bytes.length - index} bytes)` : text;
}

/** True when bytes can be printed bare: printable ASCII with no space, quote or backslash. */
function isBareToken(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte <= 0x20 || byte >= 0x7f || byte === 0x22 || byte === 0x5c) return false;
  }
  return true;
}

/** Bytes bare when they are a plain token, quoted and escaped otherwise. */
function token(bytes: Uint8Array, maxCharacters: number): string {
  if (!isBareToken(bytes) || bytes.length > maxCharacters) return quoteBytes(bytes, maxCharacters);
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/**
 * One name-value pair as `NAME=value` (either side quoted when it is not a plain token).
 *
 * @example
 * ```ts
 * formatPair(decodeParams(encodeParams({ HTTP_USER_AGENT: 'curl/8 (x)' }))[0], 80); // 'HTTP_USER_AGENT="curl/8 (x)"'
 * ```
 */
export function formatPair(pair: NameValuePair, maxCharacters: number, nameOnly = false): string {
  const name = token(pair.nameBytes, maxCharacters);
  return nameOnly ? name : `${name}=${token(pair.valueBytes, Math.max(8, maxCharacters - name.length - 1))}`;
}

/**
 * Pairs separated by spaces, as many whole pairs as fit in `maxCharacters` (at least one,
 * shortened if needed), then ` ... (+N more)` for the rest.
 *
 * @example
 * ```ts
 * formatPairs(decodeParams(encodeParams({ A: '1', B: '2' })), 80); // 'A=1 B=2'
 * ```
 */
export function formatPairs(pairs: readonly NameValuePair[], maxCharacters: number, nameOnly = false): string {
  let text = '';
  let shown = 0;
  for (const pair of pairs) {
    const piece = formatPair(pair, shown === 0 ? maxCharacters : Number.MAX_SAFE_INTEGER, nameOnly);
    const joined = shown === 0 ? piece : `${text} ${piece}`;
    if (shown > 0 && joined.length > maxCharacters) break;
    text = joined;
    shown++;
  }
  return shown < pairs.length ? `${text} ... (+${pairs.length - shown} more)` : text;
}

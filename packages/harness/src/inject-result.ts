/**
 * What an injected request resolves to.
 *
 * @module
 */
import type { HeaderEntry } from '@fcgi/codec';
import { FastCgiHarnessError, HarnessErrorCode } from './errors.js';
import type { ExchangedRecord } from './transcript.js';

/**
 * The outcome of `inject()`: the response, the app's STDERR and exit status, and the
 * decoded transcript of every record exchanged.
 *
 * @example
 * ```ts
 * const result: InjectResult = await inject(app, { url: '/' });
 * expect(result.status).toBe(200);
 * expect(result.json()).toEqual({ ok: true });
 * ```
 */
export interface InjectResult {
  /** HTTP status from the CGI head (0 when aborted before the head arrived). */
  readonly status: number;
  /** The reason phrase. */
  readonly statusText: string;
  /** Headers by lower-case name; repeated ones (Set-Cookie) as arrays. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Headers as sent, in order. */
  readonly rawHeaders: readonly HeaderEntry[];
  /** The response body bytes. */
  readonly body: Buffer;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; throws ERR_FCGI_HARNESS_INVALID_JSON when it is not. */
  json<Value = unknown>(): Value;
  /** Everything the app wrote to FCGI_STDERR, as UTF-8 text. */
  readonly stderr: string;
  /** The appStatus of END_REQUEST (undefined when the request ended without one). */
  readonly appStatus: number | undefined;
  /** The protocolStatus of END_REQUEST (undefined when the request ended without one). */
  readonly protocolStatus: number | undefined;
  /** True when `abortAfter` fired before the request completed. */
  readonly aborted: boolean;
  /** Every record of the exchange, both directions, decoded, in order. */
  readonly records: readonly ExchangedRecord[];
}

/**
 * The fields of an {@link InjectResult} before the helpers are attached.
 *
 * @example
 * ```ts
 * makeResult({ status: 200, statusText: 'OK', headers: {}, rawHeaders: [], body: Buffer.from('{}'), stderr: '', appStatus: 0, protocolStatus: 0, aborted: false, records: [] }).json();
 * ```
 */
export type ResultFields = Omit<InjectResult, 'text' | 'json'>;

/**
 * Adds `text()` and `json()` to result fields.
 *
 * @example
 * ```ts
 * makeResult(fields).text();
 * ```
 */
export function makeResult(fields: ResultFields): InjectResult {
  return {
    ...fields,
    text: () => fields.body.toString('utf8'),
    json: <Value>(): Value => {
      try {
        return JSON.parse(fields.body.toString('utf8')) as Value;
      } catch (error) {
        throw new FastCgiHarnessError(HarnessErrorCode.InvalidJson, `The response body is not JSON: ${JSON.stringify(fields.body.subarray(0, 80).toString('utf8'))}`, { cause: error });
      }
    },
  };
}

/**
 * The error a launcher throws for an option it cannot turn into a config.
 *
 * @module
 */

/**
 * A launcher option that cannot work (a relative Unix socket path, an upstream that is no
 * address, a non-positive pool size...). Thrown before anything is started; its `code` is
 * `ERR_FCGI_PEER_INVALID_OPTION` and `option` names the option.
 *
 * @example
 * ```ts
 * try {
 *   nginxConfig({ upstream: 'relative.sock' }, context);
 * } catch (error) {
 *   if (error instanceof PeerOptionError) console.log(error.option); // 'upstream'
 * }
 * ```
 */
export class PeerOptionError extends Error {
  /** Always `'ERR_FCGI_PEER_INVALID_OPTION'`. */
  readonly code = 'ERR_FCGI_PEER_INVALID_OPTION';
  /** The option's name, e.g. `upstream`. */
  readonly option: string;

  /**
   * @param option - the option's name
   * @param message - what is wrong with it
   */
  constructor(option: string, message: string) {
    super(`Invalid ${option}: ${message}`);
    this.name = 'PeerOptionError';
    this.option = option;
  }
}

/**
 * Finding the peers' executables, and deciding what a test file does when one is missing:
 * skip with a reason, or (under `FCGI_REQUIRE_PEERS=1`) fail.
 *
 * @module
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The executable each peer runs, as Debian (bookworm) installs it.
 *
 * @example
 * ```ts
 * peerCommands['php-fpm']; // 'php-fpm8.2'
 * ```
 */
export const peerCommands = {
  nginx: 'nginx',
  'php-fpm': 'php-fpm8.2',
  apache: 'apache2',
  lighttpd: 'lighttpd',
  haproxy: 'haproxy',
  'cgi-fcgi': 'cgi-fcgi',
  curl: 'curl',
} as const;

/**
 * The Debian (bookworm) package that installs each peer's executable: what to
 * `apt-get install` when a peer is missing.
 *
 * @example
 * ```ts
 * peerPackages['php-fpm']; // 'php8.2-fpm'
 * peerPackages['cgi-fcgi']; // 'libfcgi-bin'
 * ```
 */
export const peerPackages = {
  nginx: 'nginx',
  'php-fpm': 'php8.2-fpm',
  apache: 'apache2',
  lighttpd: 'lighttpd',
  haproxy: 'haproxy',
  'cgi-fcgi': 'libfcgi-bin',
  curl: 'curl',
} as const;

/**
 * A peer this kit knows: `'nginx' | 'php-fpm' | 'apache' | 'lighttpd' | 'haproxy' | 'cgi-fcgi' | 'curl'`.
 *
 * @example
 * ```ts
 * const needed: PeerName[] = ['nginx', 'php-fpm'];
 * ```
 */
export type PeerName = keyof typeof peerCommands;

/** Where to look besides PATH: daemons live in sbin, which a non-root PATH often lacks. */
const fallbackDirectories = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * What {@link peer} found out about one peer.
 *
 * @example
 * ```ts
 * const nginx: PeerBinary = peer('nginx');
 * if (nginx.available) console.log(nginx.path); // '/usr/sbin/nginx'
 * ```
 */
export interface PeerBinary {
  /** The peer's name in this kit. */
  readonly name: PeerName;
  /** The executable's file name (`php-fpm8.2` for `php-fpm`). */
  readonly command: string;
  /** The Debian package that installs it (`php8.2-fpm` for `php-fpm`). */
  readonly debianPackage: string;
  /** The executable's absolute path, when found. */
  readonly path: string | undefined;
  /** True when the executable was found. */
  readonly available: boolean;
  /** Why the peer is unavailable; empty when it is available. */
  readonly reason: string;
}

/**
 * True when `FCGI_REQUIRE_PEERS=1`: a missing peer is then a failure, not a skip.
 *
 * @example
 * ```ts
 * peersRequired({ FCGI_REQUIRE_PEERS: '1' }); // true
 * ```
 */
export function peersRequired(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment['FCGI_REQUIRE_PEERS'] === '1';
}

/** The peers listed in `FCGI_HIDE_PEERS` (comma-separated names): treated as missing, to test the skip path. */
function hiddenPeers(environment: NodeJS.ProcessEnv): Set<string> {
  const list = environment['FCGI_HIDE_PEERS'] ?? '';
  return new Set(list.split(',').map((name) => name.trim()).filter((name) => name !== ''));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds an executable by file name in PATH, then in the usual sbin/bin directories.
 *
 * @example
 * ```ts
 * findExecutable('nginx'); // '/usr/sbin/nginx', or undefined
 * ```
 */
export function findExecutable(command: string, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const pathDirectories = (environment['PATH'] ?? '').split(delimiter).filter((directory) => directory !== '');
  for (const directory of [...pathDirectories, ...fallbackDirectories]) {
    const candidate = join(directory, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Looks a peer up without ever throwing (see {@link peer} for the form tests use).
 *
 * @example
 * ```ts
 * locatePeer('haproxy').available; // false when HAProxy is not installed
 * ```
 */
export function locatePeer(name: PeerName, environment: NodeJS.ProcessEnv = process.env): PeerBinary {
  const command = peerCommands[name];
  const debianPackage = peerPackages[name];
  if (hiddenPeers(environment).has(name)) {
    return { name, command, debianPackage, path: undefined, available: false, reason: `${name} is hidden by FCGI_HIDE_PEERS` };
  }
  const path = findExecutable(command, environment);
  const reason = path === undefined ? `${name} (${command}) not found in PATH or sbin; install the Debian package ${debianPackage} (apt-get install ${debianPackage})` : '';
  return { name, command, debianPackage, path, available: path !== undefined, reason };
}

/** One missing peer in an error message: its reason, plus the binary and package when the reason lacks them. */
function describeMissing(binary: PeerBinary): string {
  if (binary.reason.includes(`Debian package ${binary.debianPackage}`)) return binary.reason;
  return `${binary.reason} (the ${binary.command} binary, Debian package ${binary.debianPackage})`;
}

/**
 * A peer is missing (not installed, or hidden by `FCGI_HIDE_PEERS`): thrown by
 * {@link requirePeers} and {@link peer} at collection time under `FCGI_REQUIRE_PEERS=1`, and
 * the rejection of every `start*` launcher (and {@link peerPath}) whatever the variable says.
 * The message names each missing binary and the Debian package that installs it.
 * Its `code` is `ERR_FCGI_PEER_MISSING`.
 *
 * @example
 * ```ts
 * try {
 *   await startNginx();
 * } catch (error) {
 *   if (error instanceof PeerMissingError) console.log(error.missing, error.packages); // ['nginx'] ['nginx']
 * }
 * ```
 */
export class PeerMissingError extends Error {
  /** Always `'ERR_FCGI_PEER_MISSING'`. */
  readonly code = 'ERR_FCGI_PEER_MISSING';
  /** The peers that are missing. */
  readonly missing: readonly PeerName[];
  /** The Debian packages that install them, in the same order. */
  readonly packages: readonly string[];

  /**
   * @param missing - what {@link locatePeer} said about each missing peer
   * @param situation - what could not be done, the start of the message (default: the `FCGI_REQUIRE_PEERS=1` wording)
   */
  constructor(missing: readonly PeerBinary[], situation = 'FCGI_REQUIRE_PEERS=1 and a required peer is missing') {
    super(`${situation}: ${missing.map(describeMissing).join('; ')}`);
    this.name = 'PeerMissingError';
    this.missing = missing.map((binary) => binary.name);
    this.packages = missing.map((binary) => binary.debianPackage);
  }
}

/**
 * Looks a peer up for a test file. When it is missing, the result says so (for
 * `describe.skipIf`), unless `FCGI_REQUIRE_PEERS=1`: then it throws {@link PeerMissingError},
 * which fails the test file at collection time.
 *
 * @example
 * ```ts
 * const nginx = peer('nginx');
 * describe.skipIf(!nginx.available)(`nginx ${nginx.reason}`, () => { ... });
 * ```
 */
export function peer(name: PeerName, environment: NodeJS.ProcessEnv = process.env): PeerBinary {
  const binary = locatePeer(name, environment);
  if (!binary.available && peersRequired(environment)) throw new PeerMissingError([binary]);
  return binary;
}

/**
 * What {@link requirePeers} found out about a set of peers.
 *
 * @example
 * ```ts
 * const peers: PeerRequirement = requirePeers('apache', 'php-fpm');
 * peers.title('Apache'); // 'Apache [skipped: apache (apache2) not found ...]' when missing
 * ```
 */
export interface PeerRequirement {
  /** True when every peer was found. */
  readonly available: boolean;
  /** The peers that are missing. */
  readonly missing: readonly PeerName[];
  /** `'skipped: <why>'` when something is missing, else empty. */
  readonly reason: string;
  /** Every peer asked for, by name. */
  readonly binaries: Readonly<Partial<Record<PeerName, PeerBinary>>>;
  /** `title`, with ` [skipped: <why>]` appended when something is missing: a describe title that shows the reason. */
  title(title: string): string;
}

/**
 * Looks up every peer a test file needs. Missing peers make `available` false and explain
 * themselves in `reason`; under `FCGI_REQUIRE_PEERS=1` they throw {@link PeerMissingError}
 * instead, naming all of them at once.
 *
 * @example
 * ```ts
 * const peers = requirePeers('nginx', 'php-fpm', 'curl');
 * describe.skipIf(!peers.available)(peers.title('nginx -> php-fpm'), () => { ... });
 * ```
 */
export function requirePeers(...names: PeerName[]): PeerRequirement {
  const found = names.map((name) => locatePeer(name));
  const missing = found.filter((binary) => !binary.available);
  if (missing.length > 0 && peersRequired()) throw new PeerMissingError(missing);
  const reason = missing.length === 0 ? '' : `skipped: ${missing.map((binary) => binary.reason).join('; ')}`;
  return {
    available: missing.length === 0,
    missing: missing.map((binary) => binary.name),
    reason,
    binaries: Object.fromEntries(found.map((binary) => [binary.name, binary])),
    title: (title) => (reason === '' ? title : `${title} [${reason}]`),
  };
}

/**
 * The absolute path of a peer's executable; throws {@link PeerMissingError} (`Cannot start
 * <name>: ...`) when it is missing (launchers use it).
 *
 * @example
 * ```ts
 * spawn(peerPath('nginx'), ['-v']);
 * ```
 */
export function peerPath(name: PeerName): string {
  const binary = locatePeer(name);
  if (binary.path === undefined) throw new PeerMissingError([binary], `Cannot start ${name}`);
  return binary.path;
}

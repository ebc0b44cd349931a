/**
 * @fcgi/peers: runs real FastCGI peers (nginx, php-fpm, Apache httpd, lighttpd, HAProxy)
 * on loopback for tests, with generated configs in a temp run directory, and tells a test
 * file to skip when a peer is missing, or to fail under `FCGI_REQUIRE_PEERS=1`.
 *
 * @example
 * ```ts
 * import { requirePeers, startPhpFpm, startNginx } from '@fcgi/peers';
 * const peers = requirePeers('nginx', 'php-fpm');
 * describe.skipIf(!peers.available)(peers.title('nginx -> php-fpm'), () => {
 *   // beforeAll: php = await startPhpFpm({ files }); nginx = await startNginx({ upstream: php, keepConn: true });
 *   // afterAll: await nginx?.stop(); await php?.stop();
 * });
 * ```
 *
 * @module
 */
export {
  type PeerName,
  type PeerBinary,
  type PeerRequirement,
  PeerMissingError,
  peerCommands,
  peerPackages,
  peer,
  requirePeers,
  locatePeer,
  peerPath,
  peersRequired,
  findExecutable,
} from './binaries.js';
export { PeerOptionError } from './errors.js';
export { freePort, withFreePort } from './ports.js';
export { createRunDirectory, writeRunFile, removeRunDirectory } from './run-dir.js';
export { type ListenAddress, type WaitOptions, canConnect, waitForConnection, formatAddress } from './wait.js';
export { type RunningPeer, type LaunchOptions, launchPeer } from './peer-process.js';
export { type ConfigContext, type ConfigSource, type HttpPeer, type HttpPeerOptions } from './http-peer.js';
export { type NginxOptions, type NginxFastcgiLocationOptions, startNginx, nginxConfig, nginxFastcgiLocation } from './nginx.js';
export {
  type NginxUpstream,
  type NginxUpstreamOptions,
  nginxUpstreamAddress,
  nginxUpstreamBlock,
  nginxUpstreamServer,
} from './nginx-upstream.js';
export { type PhpFpmOptions, type PhpFpmPeer, startPhpFpm, phpFpmPoolConfig } from './php-fpm.js';
export { type ApacheOptions, startApache, apacheConfig, apacheModuleDirectory, defaultApacheModules } from './apache.js';
export { type LighttpdOptions, startLighttpd, lighttpdConfig } from './lighttpd.js';
export { type HaproxyOptions, startHaproxy, haproxyConfig } from './haproxy.js';
export { type CurlOptions, type CurlResult, curl } from './curl.js';

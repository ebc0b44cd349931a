/**
 * @fcgi/test-peers (private): the project's own test kit. It re-exports everything of
 * `@fcgi/peers` (real nginx, php-fpm, Apache, lighttpd and HAProxy on loopback) and adds
 * `apiDocsReport`, the check that every export has JSDoc with an example.
 *
 * @example
 * ```ts
 * import { requirePeers, startNginx, apiDocsReport } from '@fcgi/test-peers';
 * const peers = requirePeers('nginx');
 * ```
 *
 * @module
 */
export * from '@fcgi/peers';
export { type ApiDocsReport, apiDocsReport } from './api-docs.js';

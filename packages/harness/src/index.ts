export {
  type FormatRecordsOptions,
  type RecordEntry,
  type RecordTranscript,
  type TranscriptError,
  type TranscriptProblem,
  RecordTranscriber,
  describeRecords,
  formatRecords,
} from './format-records.js';
export { type InjectHeaders, type InjectRequest, INJECT_DEFAULTS, cgiParams } from './inject-request.js';
export { type InjectResult } from './inject-result.js';
export { type FastifyLike, type InjectTarget } from './inject-target.js';
export { InjectChain, inject } from './inject.js';
export { type Direction, type DuplexPair, createDuplexPair } from './duplex-pair.js';
export { type ExchangedRecord } from './transcript.js';
export { type HarnessErrorCodeValue, FastCgiHarnessError, HarnessErrorCode, violation } from './errors.js';
export { type MockBackend, createMockBackend } from './mock-backend.js';
export { type ReceivedRecord } from './mock-connection.js';
export { type MockChunks, type MockRequest, type MockResponse, type MockScript } from './mock-script.js';
export { type ConformanceCheck } from './conformance-checks.js';
export { type CheckContext, type RequestShape } from './conformance-context.js';
export {
  type ConformanceOptions,
  type ConformanceReport,
  type ConformanceResult,
  CONFORMANCE_CHECKS,
  CONFORMANCE_DEFAULTS,
  CONFORMANCE_PROFILES,
  runCheck,
  runConformance,
} from './conformance.js';
export { type RawResponse, RawConnection } from './raw-connection.js';
export { type LifecycleHooks, type RegisterTest, conformanceTests, useMockBackend } from './test-helpers.js';
export { type PeerHandle, type PeerOptions, useNginx, usePeer, usePhpFpm } from './peer-helpers.js';
export {
  type CurlOptions,
  type CurlResult,
  type HttpPeer,
  type NginxOptions,
  type NginxUpstream,
  type PeerName,
  type PeerRequirement,
  type PhpFpmOptions,
  type PhpFpmPeer,
  type RunningPeer,
  PeerMissingError,
  PeerOptionError,
  curl,
  requirePeers,
  startNginx,
  startPhpFpm,
  writeRunFile,
} from '@fcgi/peers';

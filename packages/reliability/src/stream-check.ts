/**
 * Streams a large upload and a large download through gateway -> @fcgi/server with the
 * default limits and samples RSS: what is streamed must be bounded by backpressure, not
 * buffered (issue 9, "a 1 GiB upload or download ... works with the defaults").
 *
 * @module
 */
import { once } from 'node:events';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGateway } from '@fcgi/client';
import { createServer } from '@fcgi/server';
import { soakApp } from './soak-load.js';

/** What one streamed transfer did. */
export interface StreamResult {
  bytes: number;
  /** What the far end counted (the app for an upload, the HTTP client for a download). */
  received: number;
  seconds: number;
  /** Peak RSS growth over the RSS at the start, sampled every 20 ms. */
  peakRssGrowth: number;
}

function chunks(total: number): Readable {
  const piece = Buffer.alloc(64 * 1024, 0x75);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(piece.length, total - sent);
      sent += size;
      this.push(piece.subarray(0, size));
    },
  });
}

function transfer(port: number, direction: 'upload' | 'download', bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const path = direction === 'upload' ? '/echo' : `/stream?bytes=${bytes}`;
    const headers = direction === 'upload' ? { 'Content-Length': String(bytes) } : {};
    const request = httpRequest({ host: '127.0.0.1', port, path, method: direction === 'upload' ? 'POST' : 'GET', headers }, (response) => {
      let received = 0;
      let text = '';
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (direction === 'upload') text += chunk.toString();
      });
      response.on('end', () => resolve(direction === 'upload' ? Number(text.replace('echo ', '')) : received));
      response.on('error', reject);
    });
    request.on('error', reject);
    if (direction === 'upload') pipeline(chunks(bytes), request).catch(reject);
    else request.end();
  });
}

/**
 * Streams `bytes` up or down through a fresh gateway and server with default options.
 *
 * @example
 * ```ts
 * const result = await streamThrough('download', 1024 ** 3);
 * result.received === result.bytes; // true
 * ```
 */
export async function streamThrough(direction: 'upload' | 'download', bytes: number): Promise<StreamResult> {
  const fcgi = createServer(soakApp);
  fcgi.listen(0, '127.0.0.1');
  await once(fcgi, 'listening');
  const gateway = createGateway({ upstream: `127.0.0.1:${(fcgi.address() as AddressInfo).port}` });
  const http = createHttpServer(gateway);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = performance.now();
  try {
    const received = await transfer((http.address() as AddressInfo).port, direction, bytes);
    return { bytes, received, seconds: Math.round((performance.now() - start) / 100) / 10, peakRssGrowth: peak - base };
  } finally {
    clearInterval(sampler);
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await gateway.close();
    await new Promise((resolve) => fcgi.close(resolve));
  }
}

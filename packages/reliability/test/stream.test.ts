import { describe, expect, it } from 'vitest';
import { streamThrough } from '../src/stream-check.js';

describe('streaming through gateway -> server with the defaults (CI size)', () => {
  const bytes = 256 * 1024 * 1024;
  for (const direction of ['upload', 'download'] as const) {
    it(`a 256 MiB ${direction} arrives whole with RSS growth far below its size (backpressure, not buffering)`, async () => {
      const result = await streamThrough(direction, bytes);
      expect(result.received).toBe(bytes);
      expect(result.peakRssGrowth).toBeLessThan(bytes / 2);
    }, 60_000);
  }
});

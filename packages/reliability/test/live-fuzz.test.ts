import { describe, expect, it } from 'vitest';
import { fuzzClient, fuzzServerEngine } from '../src/engine-fuzz.js';

describe('live fuzzing (CI size)', () => {
  it('server: 300 mutated nginx streams, 8 connections at a time; never crashes, keeps serving clean requests', async () => {
    const summary = await fuzzServerEngine({ cases: 300, seed: 20261126 });
    expect(summary.anomalies).toEqual([]);
    expect(summary.cases).toBe(300);
    expect(summary.controls).toBeGreaterThanOrEqual(4);
    expect((summary.outcomes.closed ?? 0) + (summary.outcomes.answered ?? 0)).toBeGreaterThan(0);
  }, 60_000);

  it('client: 200 requests answered with mutated php-fpm replies; each ends in a result or a typed error, none hangs', async () => {
    const summary = await fuzzClient({ cases: 200, seed: 20261126 });
    expect(summary.anomalies).toEqual([]);
    expect(summary.cases).toBe(200);
    expect(summary.outcomes.ok ?? 0).toBeGreaterThan(0);
    expect(Object.keys(summary.outcomes).filter((outcome) => outcome !== 'ok').length).toBeGreaterThan(2);
  }, 60_000);
});

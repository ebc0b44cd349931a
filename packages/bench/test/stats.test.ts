import { describe, expect, it } from 'vitest';
import { formatRatio, formatStats, quantile, ratio, summarise } from '../src/stats.js';
import { parseWrk } from '../src/wrk.js';

describe('statistics', () => {
  it('summarises medians with min and max', () => {
    expect(summarise([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(summarise([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(Number.isNaN(summarise([]).median)).toBe(true);
  });

  it('takes ratios round by round', () => {
    expect(ratio([10, 20, 30], [5, 5, 10])).toEqual({ median: 3, min: 2, max: 4 });
    expect(ratio([10, 20], [0, 10])).toEqual({ median: 2, min: 2, max: 2 });
  });

  it('picks quantiles by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_unused, index) => index + 1);
    expect(quantile(samples, 0.5)).toBe(50);
    expect(quantile(samples, 0.99)).toBe(99);
  });

  it('formats for the tables', () => {
    expect(formatStats({ median: 12_345.4, min: 9.5, max: 150 })).toBe('12,345 (9.50–150)');
    expect(formatRatio({ median: 2, min: 1.5, max: 2.5 })).toBe('**2.00x** (1.50–2.50)');
  });
});

describe('parseWrk', () => {
  const output = `Running 2s test @ http://127.0.0.1:8080/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   250.00us  100.00us   5.00ms   90.00%
  Latency Distribution
     50%  200.00us
     75%  300.00us
     90%  400.00us
     99%    1.50ms
  20000 requests in 2.00s, 2.00MB read
  Non-2xx or 3xx responses: 2000
Requests/sec:  10000.00
Transfer/sec:      1.00MB
`;

  it('counts only successful responses and reads the latency percentiles', () => {
    const result = parseWrk(output);
    expect(result.requestsPerSecond).toBe(9000);
    expect(result.errors).toBe(2000);
    expect(result.latencyP50).toBeCloseTo(0.2);
    expect(result.latencyP99).toBeCloseTo(1.5);
    expect(result.bytesPerSecond).toBe(1024 * 1024);
  });
});

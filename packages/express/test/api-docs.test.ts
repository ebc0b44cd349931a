import { fileURLToPath } from 'node:url';
import { apiDocsReport } from '@fcgi/test-peers';
import { describe, expect, it } from 'vitest';

const report = apiDocsReport(fileURLToPath(new URL('../src/index.ts', import.meta.url)), ['serve', 'toFastCgi', 'fastcgi', 'FastCgiExpressError', 'ExpressErrorCode']);

describe('public API documentation', () => {
  it('exports the fixed names of the architecture', () => {
    expect(report.missingFixedNames).toEqual([]);
  });

  it('documents every export with JSDoc and an @example', () => {
    expect(report.undocumented).toEqual([]);
  });
});

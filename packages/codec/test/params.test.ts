import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  DEFAULT_LIMITS,
  FastCgiLimitError,
  FastCgiProtocolError,
  type NameValuePair,
  ParamsDecoder,
  decodeParams,
  encodeParams,
} from '../src/index.js';
import { ascii, pair } from './support/fixtures.js';
import { pseudoRandomBytes, sameBytes, splitAt, thrown } from './support/helpers.js';

/** Decodes with a ParamsDecoder fed the given pieces, then end(). */
function decodeIncrementally(pieces: readonly Uint8Array[], decoder = new ParamsDecoder()): NameValuePair[] {
  const pairs = pieces.flatMap((piece) => decoder.push(piece));
  decoder.end();
  return pairs;
}

describe('name-value pair lengths (vectors shared with other implementations)', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x00, 0x00, 0x80]],
    [1000, [0x80, 0x00, 0x03, 0xe8]],
    [65535, [0x80, 0x00, 0xff, 0xff]],
    [65536, [0x80, 0x01, 0x00, 0x00]],
  ])('writes a value of %i bytes with the prefix %j and reads it back', (length, prefix) => {
    const value = new Uint8Array(length).fill(0x61);
    const bytes = encodeParams([['N', value]]);
    expect(Array.from(bytes.subarray(0, 2 + prefix.length))).toEqual([1, ...prefix, 0x4e]);
    expect(bytes.length).toBe(2 + prefix.length + length);
    const [decoded] = decodeParams(bytes, { maxParamsBytes: bytes.length });
    expect(decoded?.valueBytes.length).toBe(length);
    expect(sameBytes(decoded!.valueBytes, value)).toBe(true);
  });

  it('writes and reads the name length 128 as 4 bytes', () => {
    const name = 'N'.repeat(128);
    const bytes = encodeParams({ [name]: 'v' });
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x80, 0, 0, 0x80, 1]);
    expect(decodeParams(bytes)).toEqual([pair(name, 'v')]);
  });

  it('writes and reads 33554431 (0x1ffffff) bytes as 0x81 0xff 0xff 0xff', () => {
    const value = new Uint8Array(33_554_431);
    value[value.length - 1] = 0x5a;
    const bytes = encodeParams([[new Uint8Array(0), value]]);
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x00, 0x81, 0xff, 0xff, 0xff]);
    const [decoded] = decodeParams(bytes, { maxParamsBytes: bytes.length, encoding: 'latin1' });
    expect(decoded?.valueBytes.length).toBe(33_554_431);
    expect(decoded?.valueBytes[33_554_430]).toBe(0x5a);
    expect(decoded?.nameBytes.length).toBe(0);
  });

  it('accepts the 4-byte form for short names and values', () => {
    const bytes = new Uint8Array([0x80, 0, 0, 1, 0x80, 0, 0, 2, ...ascii('ABC')]);
    expect(decodeParams(bytes)).toEqual([pair('A', 'BC')]);
    expect(decodeIncrementally([bytes])).toEqual([pair('A', 'BC')]);
  });

  it('accepts empty names and values', () => {
    const bytes = new Uint8Array([0, 0, 0, 1, ...ascii('x')]);
    expect(decodeParams(bytes)).toEqual([pair('', ''), pair('', 'x')]);
    expect(Array.from(encodeParams([['', ''], ['', 'x']]))).toEqual(Array.from(bytes));
  });
});

describe('encodeParams inputs', () => {
  const expected = [pair('REQUEST_METHOD', 'GET'), pair('QUERY_STRING', '')];

  it('takes a plain object, skipping undefined values', () => {
    expect(decodeParams(encodeParams({ REQUEST_METHOD: 'GET', SKIPPED: undefined, QUERY_STRING: '' }))).toEqual(expected);
  });

  it('takes [name, value] tuples of strings or bytes, repeats kept', () => {
    const bytes = encodeParams([['A', '1'], [new Uint8Array([0x42]), new Uint8Array([0x32])], ['A', '3']]);
    expect(decodeParams(bytes)).toEqual([pair('A', '1'), pair('B', '2'), pair('A', '3')]);
  });

  it('takes decoded pairs, re-encoding their exact bytes', () => {
    const raw = [{ ...pair('X', 'ignored'), valueBytes: new Uint8Array([0xff, 0xfe]) }];
    expect(Array.from(encodeParams(raw))).toEqual([1, 2, 0x58, 0xff, 0xfe]);
  });

  it('takes any iterable of pairs', () => {
    const pairs = new Map([['REQUEST_METHOD', 'GET'], ['QUERY_STRING', '']]);
    expect(decodeParams(encodeParams(pairs))).toEqual(expected);
  });

  it('encodes strings as UTF-8 by default, including astral characters', () => {
    const bytes = encodeParams([['\u00e9', 'a\u{1f600}b']]);
    const encoder = new TextEncoder();
    expect(Array.from(bytes)).toEqual([2, 6, ...encoder.encode('\u00e9'), ...encoder.encode('a\u{1f600}b')]);
  });

  it('encodes a lone surrogate as U+FFFD, keeping lengths right', () => {
    const bytes = encodeParams([['N', 'a\ud800b']]);
    expect(decodeParams(bytes)).toEqual([pair('N', 'a\ufffdb')]);
  });

  it('encodes strings byte for byte with encoding: latin1', () => {
    expect(Array.from(encodeParams([['\u00e9', '\u00ff']], { encoding: 'latin1' }))).toEqual([1, 1, 0xe9, 0xff]);
  });

  it('rejects latin1 text above U+00FF with ERR_FCGI_INVALID_OPTION', () => {
    expect(() => encodeParams([['N', '\u0100']], { encoding: 'latin1' })).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidOption }));
  });

  it('rejects a name or value that is neither a string nor bytes', () => {
    const input = [['N', 5]] as unknown as Parameters<typeof encodeParams>[0];
    expect(() => encodeParams(input)).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidRecord }));
  });
});

describe('lossless bytes', () => {
  const name = new Uint8Array([0x48, 0xc3, 0x28, 0x00]);
  const value = pseudoRandomBytes(300);

  it('keeps raw bytes reachable when they are not valid UTF-8', () => {
    const [decoded] = decodeParams(encodeParams([[name, value]]));
    expect(decoded?.nameBytes).toEqual(name);
    expect(sameBytes(decoded!.valueBytes, value)).toBe(true);
    expect(decoded?.name).toBe('H\ufffd(\u0000');
  });

  it('maps every byte to one character with encoding: latin1, and back', () => {
    const all = Uint8Array.from({ length: 256 }, (_, index) => index);
    const [decoded] = decodeParams(encodeParams([[all, all]]), { encoding: 'latin1' });
    expect(Array.from(decoded!.name, (character) => character.charCodeAt(0))).toEqual(Array.from(all));
    expect(encodeParams([[decoded!.name, decoded!.value]], { encoding: 'latin1' })).toEqual(encodeParams([[all, all]]));
  });
});

describe('decodeParams views', () => {
  it('returns names and values as views into the input, without copying', () => {
    const bytes = encodeParams([['NAME', 'value']]);
    const [decoded] = decodeParams(bytes);
    expect(decoded?.nameBytes.buffer).toBe(bytes.buffer);
    expect(decoded?.valueBytes.buffer).toBe(bytes.buffer);
    expect(decoded?.valueBytes.byteOffset).toBe(bytes.byteOffset + 2 + 4);
  });
});

describe('decodeParams errors', () => {
  it.each([
    ['a 4-byte name length cut short', [0x80, 0, 0]],
    ['a missing value length', [3]],
    ['a 4-byte value length cut short', [1, 0x80, 0]],
    ['a name past the end', [5, 0, 0x41]],
    ['a value past the end', [1, 5, 0x41, 0x42]],
    ['a 31-bit length past the end', [0xff, 0xff, 0xff, 0xff, 0, 0x41]],
    ['a value length past the end after a good pair', [1, 1, 0x41, 0x42, 1, 0x7f, 0x43]],
  ])('rejects %s with ERR_FCGI_INVALID_PARAMS', (_name, bytes) => {
    const error = thrown(() => decodeParams(new Uint8Array(bytes)));
    expect(error).toBeInstanceOf(FastCgiProtocolError);
    expect(error).toMatchObject({ code: CodecErrorCode.InvalidParams });
    expect(() => decodeIncrementally([new Uint8Array(bytes)], new ParamsDecoder({ maxParamsBytes: 2 ** 32 }))).toThrow(
      expect.objectContaining({ code: CodecErrorCode.InvalidParams }),
    );
  });

  it('never reads out of bounds: every truncation of a valid block decodes a prefix or throws ERR_FCGI_INVALID_PARAMS', () => {
    const pairs = [pair('SHORT', 'x'), pair('L'.repeat(200), 'v'.repeat(1000)), pair('', '')];
    const block = encodeParams(pairs);
    const boundaries = pairs.map((_, count) => encodeParams(pairs.slice(0, count)).length).concat(block.length);
    for (let cut = 0; cut <= block.length; cut++) {
      const view = block.subarray(0, cut);
      const index = boundaries.indexOf(cut);
      if (index >= 0) expect(decodeParams(view)).toEqual(pairs.slice(0, index));
      else expect(thrown(() => decodeParams(view))).toMatchObject({ code: CodecErrorCode.InvalidParams });
    }
  });

  it('decodes from a view with an offset into a larger buffer without reading outside it', () => {
    const backing = new Uint8Array([1, 9, 0x41, 0x42, 0x43, 0x44]);
    expect(thrown(() => decodeParams(backing.subarray(0, 4)))).toMatchObject({ code: CodecErrorCode.InvalidParams });
    expect(decodeParams(backing.subarray(2, 2))).toEqual([]);
  });
});

describe('decodeParams limits', () => {
  const tenPairs = encodeParams(Array.from({ length: 10 }, (_, index) => [`N${index}`, 'v'] as const));

  it('maxParamsPairs: throws ERR_FCGI_TOO_MANY_PARAMS past the limit', () => {
    expect(decodeParams(tenPairs, { maxParamsPairs: 10 })).toHaveLength(10);
    const error = thrown(() => decodeParams(tenPairs, { maxParamsPairs: 9 }));
    expect(error).toBeInstanceOf(FastCgiLimitError);
    expect(error).toMatchObject({ code: CodecErrorCode.TooManyParams, limit: 9 });
  });

  it('maxParamsPairs defaults to 1000', () => {
    expect(DEFAULT_LIMITS.maxParamsPairs).toBe(1000);
    const many = (count: number): Uint8Array => new Uint8Array(count * 2);
    expect(decodeParams(many(1000))).toHaveLength(1000);
    expect(() => decodeParams(many(1001))).toThrow(expect.objectContaining({ code: CodecErrorCode.TooManyParams, limit: 1000 }));
  });

  it('maxParamsBytes: throws ERR_FCGI_PARAMS_TOO_LARGE past the limit', () => {
    expect(decodeParams(tenPairs, { maxParamsBytes: tenPairs.length })).toHaveLength(10);
    const error = thrown(() => decodeParams(tenPairs, { maxParamsBytes: tenPairs.length - 1 }));
    expect(error).toBeInstanceOf(FastCgiLimitError);
    expect(error).toMatchObject({ code: CodecErrorCode.ParamsTooLarge, limit: tenPairs.length - 1 });
  });

  it('maxParamsBytes defaults to 256 KiB', () => {
    expect(DEFAULT_LIMITS.maxParamsBytes).toBe(262_144);
    const fits = encodeParams([['N', new Uint8Array(262_144 - 6)]]);
    expect(fits.length).toBe(262_144);
    expect(decodeParams(fits)).toHaveLength(1);
    const over = encodeParams([['N', new Uint8Array(262_144 - 5)]]);
    expect(() => decodeParams(over)).toThrow(expect.objectContaining({ code: CodecErrorCode.ParamsTooLarge }));
  });

  it.each([-1, 0.5, Number.NaN])('rejects the option value %s with ERR_FCGI_INVALID_OPTION', (value) => {
    expect(() => decodeParams(tenPairs, { maxParamsPairs: value })).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidOption }));
    expect(() => new ParamsDecoder({ maxParamsBytes: value })).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidOption }));
  });
});

describe('ParamsDecoder (incremental)', () => {
  const pairs = [pair('SCRIPT_FILENAME', '/srv/www/index.php'), pair('Q'.repeat(130), 'x'.repeat(300)), pair('', ''), pair('HTTP_X', '\u00e9t\u00e9')];
  const block = encodeParams(pairs);

  it('decodes the stream split at every byte offset, and at every pair of offsets', () => {
    for (let cut = 0; cut <= block.length; cut++) {
      expect(decodeIncrementally(splitAt(block, [cut]))).toEqual(pairs);
      for (let second = cut; second <= block.length; second += 53) {
        expect(decodeIncrementally(splitAt(block, [cut, second]))).toEqual(pairs);
      }
    }
  });

  it('decodes the stream pushed one byte at a time, returning each pair when its last byte arrives', () => {
    const decoder = new ParamsDecoder();
    const completedAt: number[] = [];
    const decoded: NameValuePair[] = [];
    for (let index = 0; index < block.length; index++) {
      const completed = decoder.push(block.subarray(index, index + 1));
      if (completed.length > 0) completedAt.push(index);
      decoded.push(...completed);
    }
    decoder.end();
    expect(decoded).toEqual(pairs);
    expect(decoder.pairCount).toBe(pairs.length);
    expect(decoder.bytesReceived).toBe(block.length);
    expect(completedAt.at(-1)).toBe(block.length - 1);
  });

  it('end() throws ERR_FCGI_INVALID_PARAMS when a pair was cut short, at every cut inside a pair', () => {
    const boundaries = new Set([0, 2 + 15 + 18]);
    for (let cut = 1; cut < 35; cut++) {
      const decoder = new ParamsDecoder();
      decoder.push(block.subarray(0, cut));
      if (boundaries.has(cut)) expect(() => decoder.end()).not.toThrow();
      else expect(() => decoder.end()).toThrow(expect.objectContaining({ code: CodecErrorCode.InvalidParams }));
    }
  });

  it('is poisoned after an error', () => {
    const decoder = new ParamsDecoder({ maxParamsPairs: 1 });
    expect(() => decoder.push(block)).toThrow(expect.objectContaining({ code: CodecErrorCode.TooManyParams }));
    expect(() => decoder.push(new Uint8Array(0))).toThrow(expect.objectContaining({ code: CodecErrorCode.DecoderPoisoned }));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: CodecErrorCode.DecoderPoisoned }));
  });

  it('maxParamsPairs: throws ERR_FCGI_TOO_MANY_PARAMS when pair limit + 1 starts, wherever the stream is split', () => {
    for (let cut = 0; cut <= block.length; cut++) {
      const decoder = new ParamsDecoder({ maxParamsPairs: 3 });
      const error = thrown(() => decodeIncrementally(splitAt(block, [cut]), decoder));
      expect(error).toBeInstanceOf(FastCgiLimitError);
      expect(error).toMatchObject({ code: CodecErrorCode.TooManyParams, limit: 3 });
      expect(decoder.pairCount).toBe(3);
    }
  });

  it('maxParamsBytes: throws ERR_FCGI_PARAMS_TOO_LARGE when the stream grows past the limit', () => {
    // The last pair's declared lengths already overrun the budget, so the error comes as
    // soon as they are read, before the rest of its bytes arrive.
    const decoder = new ParamsDecoder({ maxParamsBytes: block.length - 1 });
    const error = thrown(() => {
      decoder.push(block.subarray(0, block.length - 1));
      decoder.push(block.subarray(block.length - 1));
    });
    expect(error).toBeInstanceOf(FastCgiLimitError);
    expect(error).toMatchObject({ code: CodecErrorCode.ParamsTooLarge, limit: block.length - 1 });
  });

  it('maxParamsBytes: counts the declared name and value lengths together', () => {
    const decoder = new ParamsDecoder({ maxParamsBytes: 1024 });
    // name 896 bytes + value 896 bytes: each fits alone, together they cannot.
    const error = thrown(() => decoder.push(new Uint8Array([0x80, 0, 0x03, 0x80, 0x80, 0, 0x03, 0x80])));
    expect(error).toMatchObject({ code: CodecErrorCode.ParamsTooLarge, limit: 1024 });
  });

  it('keeps a copy of a name whose value continues in the next chunk, so the chunk can be reused', () => {
    const decoder = new ParamsDecoder();
    const first = new Uint8Array([6, 1, ...new TextEncoder().encode('HTTP_X')]);
    expect(decoder.push(first)).toEqual([]);
    first.fill(0);
    const [pair] = decoder.push(new Uint8Array([0x41]));
    expect(pair?.name).toBe('HTTP_X');
    expect(Array.from(pair?.nameBytes ?? [])).toEqual(Array.from(new TextEncoder().encode('HTTP_X')));
    expect(pair?.value).toBe('A');
  });

  it('maxParamsBytes: rejects a declared length past the limit before its bytes arrive', () => {
    const decoder = new ParamsDecoder({ maxParamsBytes: 1024 });
    const error = thrown(() => decoder.push(new Uint8Array([1, 0x80, 0, 0x04, 0x00])));
    expect(error).toMatchObject({ code: CodecErrorCode.ParamsTooLarge, limit: 1024 });
  });

  it('maxParamsBytes: rejects a 2 GiB declared length without allocating it', () => {
    const decoder = new ParamsDecoder();
    expect(() => decoder.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: CodecErrorCode.ParamsTooLarge }));
  });
});

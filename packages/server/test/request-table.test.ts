/**
 * The per-connection request table: a one-entry slot for the usual single request, a map
 * for concurrent (multiplexed) ones, the same answers either way.
 */
import { describe, expect, it } from 'vitest';
import { RequestTable } from '../src/request-table.js';

describe('RequestTable', () => {
  it('holds one request in its slot and more in a map, with the same lookups', () => {
    const table = new RequestTable<string>();
    expect(table.size).toBe(0);
    table.set(1, 'one');
    table.set(7, 'seven');
    table.set(3, 'three');
    expect(table.size).toBe(3);
    expect([table.get(1), table.get(7), table.get(3), table.get(2)]).toEqual(['one', 'seven', 'three', undefined]);
    expect(table.values().sort()).toEqual(['one', 'seven', 'three']);
    table.delete(1);
    expect(table.get(1)).toBeUndefined();
    expect(table.size).toBe(2);
    table.set(1, 'again');
    expect(table.get(1)).toBe('again');
    table.delete(7);
    table.delete(3);
    table.delete(1);
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
  });

  it('gives a snapshot that stays whole while requests leave the table', () => {
    const table = new RequestTable<number>();
    for (const id of [1, 2, 3]) table.set(id, id);
    const seen: number[] = [];
    for (const id of table.values()) {
      seen.push(id);
      table.delete(id);
    }
    expect(seen.sort()).toEqual([1, 2, 3]);
    expect(table.size).toBe(0);
  });

  it('tells request id 0 and unknown ids apart from an empty slot', () => {
    const table = new RequestTable<string>();
    expect(table.get(0)).toBeUndefined();
    table.set(0, 'management');
    expect(table.get(0)).toBe('management');
    expect(table.get(-1)).toBeUndefined();
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEAP_GROWTH_FLAG, limitHeapGrowth } from './heap-growth';

/**
 * A process that keeps about 35 MB alive and then makes garbage that lives long enough to be
 * promoted (a ring of recent objects, as requests in flight are): it prints the highest used heap
 * over the live heap after a full collection. V8 alone lets that reach 5.6–6.9 (Node 20 and 24).
 */
const CHURN = `
  const v8 = require('node:v8');
  if (process.env.FLAG) v8.setFlagsFromString(process.env.FLAG);
  globalThis.live = [];
  for (let i = 0; i < 400000; i++) globalThis.live.push({ a: i, b: 'x' + i });
  globalThis.gc();
  const base = v8.getHeapStatistics().used_heap_size;
  let peak = 0;
  const ring = new Array(20000);
  for (let i = 0; i < 6e6; i++) {
    ring[i % 20000] = { i, s: 'y' + i, pair: [i, i] };
    if (i % 1000 === 0) peak = Math.max(peak, v8.getHeapStatistics().used_heap_size);
  }
  process.stdout.write(String(peak / base) + ' ' + globalThis.live.length);
`;

const peakOverLive = (flag: string) => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=4', '-e', CHURN], {
    env: { ...process.env, NODE_OPTIONS: '', FLAG: flag },
    encoding: 'utf8',
  });
  return Number(out.split(' ')[0]);
};

describe('the heap growth limit', () => {
  it('keeps the heap under 4× its live size while promoted garbage piles up (1.5× plus the young generation)', () => {
    expect(peakOverLive(HEAP_GROWTH_FLAG)).toBeLessThan(4);
  });

  it('is what limitHeapGrowth sets', () => {
    const set = jest.fn<void, [string]>();
    limitHeapGrowth(set);
    expect(set.mock.calls).toEqual([[HEAP_GROWTH_FLAG]]);
  });

  it('is set by the server before it loads the framework', () => {
    const source = readFileSync(join(__dirname, '..', '..', 'framework-preload.ts'), 'utf8');
    const call = source.indexOf('limitHeapGrowth();');
    expect(call).toBeGreaterThan(0);
    expect(call).toBeLessThan(source.indexOf("require('@nestjs/common')"));
  });
});

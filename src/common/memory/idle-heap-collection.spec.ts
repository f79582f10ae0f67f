import { IdleHeapCollection } from './idle-heap-collection';

describe('IdleHeapCollection', () => {
  const setup = () => {
    const calls: unknown[] = [];
    const reports: Array<[number, number]> = [];
    const trims: string[] = [];
    const sut = new IdleHeapCollection({
      idleMs: 10_000,
      checkEveryMs: 2_500,
      collect: (options) => calls.push(options),
      // The C heap is trimmed after the collection, which frees the buffers it gives back.
      trim: () => trims.push(`after ${calls.length} collection(s)`),
      collected: (before, after) => reports.push([before, after]),
    });
    return { sut, calls, reports, trims };
  };

  it('collects once, a whole idle period after the last request, with the low-memory flavour, then trims', () => {
    const { sut, calls, reports, trims } = setup();
    sut.onRequest();
    sut.check(0);
    sut.check(9_999);
    expect(calls).toHaveLength(0);
    sut.check(10_000);
    expect(calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(reports).toHaveLength(1);
    expect(trims).toEqual(['after 1 collection(s)']);
    sut.check(20_000);
    sut.check(60_000);
    expect(calls).toHaveLength(1);
  });

  it('never collects while requests keep coming, and again after the next busy spell', () => {
    const { sut, calls } = setup();
    for (let at = 0; at <= 60_000; at += 2_500) {
      sut.onRequest();
      sut.check(at);
    }
    expect(calls).toHaveLength(0);
    sut.check(70_000);
    expect(calls).toHaveLength(1);
    sut.onRequest();
    sut.check(72_500);
    sut.check(82_499);
    expect(calls).toHaveLength(1);
    sut.check(82_500);
    expect(calls).toHaveLength(2);
  });

  it('collects the start-up garbage of a server that gets no request', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const { sut, calls } = setup();
      sut.start(() => Date.now());
      jest.advanceTimersByTime(12_500);
      expect(calls).toHaveLength(1);
      sut.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('does nothing without a collector (no --expose-gc): no timer, no call', () => {
    const saved = (globalThis as { gc?: unknown }).gc;
    delete (globalThis as { gc?: unknown }).gc;
    jest.useFakeTimers();
    try {
      const sut = new IdleHeapCollection({ idleMs: 10, checkEveryMs: 5 });
      expect(sut.enabled).toBe(false);
      sut.start();
      expect(jest.getTimerCount()).toBe(0);
      expect(() => sut.check(1_000_000)).not.toThrow();
    } finally {
      jest.useRealTimers();
      if (saved) (globalThis as { gc?: unknown }).gc = saved;
    }
  });
});

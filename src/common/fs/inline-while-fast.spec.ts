import { InlineWhileFast } from './inline-while-fast';

describe('InlineWhileFast', () => {
  const calls = () => {
    const made: string[] = [];
    return {
      made,
      inline: () => {
        made.push('inline');
        return 'done';
      },
      pooled: () => {
        made.push('pooled');
        return Promise.resolve('done');
      },
    };
  };

  it('runs inline while the calls are fast', async () => {
    const slow = jest.fn();
    const sut = new InlineWhileFast(Number.POSITIVE_INFINITY, slow);
    const c = calls();
    for (let i = 0; i < 5; i += 1) await expect(sut.run(c.inline, c.pooled)).resolves.toBe('done');
    expect(c.made).toEqual(Array(5).fill('inline'));
    expect(sut.throughThreadPool).toBe(false);
    expect(slow).not.toHaveBeenCalled();
  });

  it('moves to the thread pool for good after three slow runs in a row, and says so once', async () => {
    const slow = jest.fn();
    const sut = new InlineWhileFast(-1, slow);
    const c = calls();
    for (let i = 0; i < 5; i += 1) await expect(sut.run(c.inline, c.pooled)).resolves.toBe('done');
    expect(c.made).toEqual(['inline', 'inline', 'inline', 'pooled', 'pooled']);
    expect(sut.throughThreadPool).toBe(true);
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('counts only slow runs in a row: one fast run starts the count again', async () => {
    const sut = new InlineWhileFast(20, jest.fn());
    let busyMs = 25;
    const inline = () => {
      const until = performance.now() + busyMs;
      while (performance.now() < until);
    };
    const pooled = () => Promise.resolve();
    await sut.run(inline, pooled);
    await sut.run(inline, pooled);
    busyMs = 0;
    await sut.run(inline, pooled);
    busyMs = 25;
    await sut.run(inline, pooled);
    await sut.run(inline, pooled);
    expect(sut.throughThreadPool).toBe(false);
    await sut.run(inline, pooled);
    expect(sut.throughThreadPool).toBe(true);
  });

  it('passes on what the inline call throws, as a rejection', async () => {
    const sut = new InlineWhileFast(Number.POSITIVE_INFINITY, jest.fn());
    await expect(
      sut.run(
        () => {
          throw new Error('EACCES');
        },
        () => Promise.resolve(),
      ),
    ).rejects.toThrow('EACCES');
  });
});

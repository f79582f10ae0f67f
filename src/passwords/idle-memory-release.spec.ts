import { glibcMallocTrim } from '../common/memory/malloc-trim';
import { IdleMemoryRelease } from './idle-memory-release';

describe('IdleMemoryRelease', () => {
  let trims: number;
  const release = () => Promise.resolve(() => void (trims += 1));
  /** Lets the promise that loads the release function settle. */
  const settle = () => jest.advanceTimersByTimeAsync(0);

  beforeEach(() => {
    trims = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('releases once, the idle time after the last job', async () => {
    const sut = new IdleMemoryRelease(1000, release);
    sut.busy();
    sut.idle();
    await jest.advanceTimersByTimeAsync(999);
    expect(trims).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(trims).toBe(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(trims).toBe(1);
    expect(sut.released).toBe(1);
  });

  it('does not release while jobs keep coming, nor while one runs', async () => {
    const sut = new IdleMemoryRelease(1000, release);
    for (let i = 0; i < 5; i += 1) {
      sut.busy();
      sut.idle();
      await jest.advanceTimersByTimeAsync(600);
    }
    expect(trims).toBe(0);
    sut.busy();
    await jest.advanceTimersByTimeAsync(5000);
    expect(trims).toBe(0);
    sut.idle();
    await jest.advanceTimersByTimeAsync(1000);
    await settle();
    expect(trims).toBe(1);
  });

  it('skips the release when a job started while the release function loaded', async () => {
    let resolveLoad: (trim: () => void) => void = () => undefined;
    const loading = new Promise<() => void>((resolve) => (resolveLoad = resolve));
    const sut = new IdleMemoryRelease(1000, () => loading);
    sut.busy();
    sut.idle();
    await jest.advanceTimersByTimeAsync(1000);
    sut.busy();
    resolveLoad(() => void (trims += 1));
    await settle();
    expect(trims).toBe(0);
  });

  it('does nothing after stop, nor where there is nothing to call', async () => {
    const stopped = new IdleMemoryRelease(1000, release);
    stopped.idle();
    stopped.stop();
    const nothing = new IdleMemoryRelease(1000, () => Promise.resolve(null));
    nothing.idle();
    await jest.advanceTimersByTimeAsync(2000);
    await settle();
    expect(trims).toBe(0);
    expect(nothing.released).toBe(0);
  });
});

describe('glibcMallocTrim', () => {
  it('finds malloc_trim on Linux with glibc, and calling it is harmless', async () => {
    const glibc =
      process.platform === 'linux' &&
      Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
    const trim = await glibcMallocTrim();
    expect(trim === null).toBe(!glibc);
    trim?.();
  });
});

import { releaseFreedMemory } from '../common/memory/malloc-trim';
import { IdleMemoryRelease } from './idle-memory-release';

describe('IdleMemoryRelease', () => {
  let trims: number;
  const release = () => {
    trims += 1;
    return true;
  };

  beforeEach(() => {
    trims = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('releases once, the idle time after the last job', () => {
    const sut = new IdleMemoryRelease(1000, release);
    sut.busy();
    sut.idle();
    jest.advanceTimersByTime(999);
    expect(trims).toBe(0);
    jest.advanceTimersByTime(1);
    expect(trims).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(trims).toBe(1);
    expect(sut.released).toBe(1);
  });

  it('does not release while jobs keep coming, nor while one runs', () => {
    const sut = new IdleMemoryRelease(1000, release);
    for (let i = 0; i < 5; i += 1) {
      sut.busy();
      sut.idle();
      jest.advanceTimersByTime(600);
    }
    expect(trims).toBe(0);
    sut.busy();
    jest.advanceTimersByTime(5000);
    expect(trims).toBe(0);
    sut.idle();
    jest.advanceTimersByTime(1000);
    expect(trims).toBe(1);
  });

  it('does nothing after stop, nor counts where there is nothing to call', () => {
    const stopped = new IdleMemoryRelease(1000, release);
    stopped.idle();
    stopped.stop();
    let calls = 0;
    const nothing = new IdleMemoryRelease(1000, () => {
      calls += 1;
      return false;
    });
    nothing.idle();
    jest.advanceTimersByTime(2000);
    expect(trims).toBe(0);
    expect(calls).toBe(1);
    expect(nothing.released).toBe(0);
  });
});

describe('releaseFreedMemory', () => {
  it('finds malloc_trim on Linux with glibc, and calling it is harmless', () => {
    const glibc =
      process.platform === 'linux' &&
      Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
    expect(releaseFreedMemory()).toBe(glibc);
    expect(releaseFreedMemory()).toBe(glibc);
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InlineFs } from './inline-fs';

describe('InlineFs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-inline-fs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An InlineFs that takes every call for slow: through the thread pool from the fourth call on. */
  const pooledAfterThree = async (slow = jest.fn()) => {
    const sut = new InlineFs(slow, { slowMs: -1 });
    for (const name of ['a', 'b', 'c']) await sut.mkdir(path.join(dir, name), {});
    return sut;
  };

  it.each([
    ['synchronous', async () => new InlineFs(jest.fn(), { slowMs: Number.POSITIVE_INFINITY })],
    ['thread pool', () => pooledAfterThree()],
  ])('%s: makes folders and files with their modes, renames, removes, and rejects what fails', async (mode, make) => {
    const sut = await make();
    expect(sut.throughThreadPool).toBe(mode === 'thread pool');
    const nested = path.join(dir, 'x', 'y');
    await sut.mkdir(nested, { recursive: true, mode: 0o700 });
    expect(statSync(nested).mode & 0o777).toBe(0o700);

    const file = path.join(nested, 'f.tmp');
    await sut.writeFile(file, '{}', { flag: 'wx', mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(sut.writeFile(file, 'again', { flag: 'wx' })).rejects.toMatchObject({ code: 'EEXIST' });
    await sut.rename(file, path.join(nested, 'f.json'));
    expect(readFileSync(path.join(nested, 'f.json'), 'utf8')).toBe('{}');
    await sut.rm(path.join(dir, 'x'), { recursive: true, force: true });
    expect(existsSync(path.join(dir, 'x'))).toBe(false);
    await expect(sut.mkdir(path.join(dir, 'missing', 'z'), {})).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('makes each synchronous call in a later turn of the event loop, never in the caller’s', async () => {
    const sut = new InlineFs(jest.fn(), { slowMs: Number.POSITIVE_INFINITY });
    const target = path.join(dir, 'later');
    const made = sut.mkdir(target, {});
    expect(existsSync(target)).toBe(false);
    await made;
    expect(existsSync(target)).toBe(true);
    expect(sut.throughThreadPool).toBe(false);
  });

  it('moves to the thread pool for good after three slow calls in a row, and says so once', async () => {
    const slow = jest.fn();
    const sut = await pooledAfterThree(slow);
    expect(sut.throughThreadPool).toBe(true);
    await sut.mkdir(path.join(dir, 'd'), {});
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('counts only slow calls in a row: one fast call starts the count again', async () => {
    // Each call reads the clock twice; these are the calls' durations in ms.
    const durations = [25, 25, 0, 25, 25, 25];
    let clock = 0;
    const reads: number[] = [];
    for (const ms of durations) reads.push(clock, (clock += ms));
    const sut = new InlineFs(jest.fn(), { slowMs: 20, now: () => reads.shift()! });
    for (const [i] of durations.entries()) {
      await sut.mkdir(path.join(dir, `d${i}`), {});
      expect(sut.throughThreadPool).toBe(i === durations.length - 1);
    }
  });
});

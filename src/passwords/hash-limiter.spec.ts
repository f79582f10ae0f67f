import { AppError } from '../common/errors/app-error';
import { HashLimiter } from './hash-limiter';

describe('HashLimiter', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs at most `concurrency` jobs at once and queues the rest in order', async () => {
    const sut = new HashLimiter(2, 10);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const jobs = gates.map((gate, i) =>
      sut.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(sut.queued).toBe(1);
    gates[0].resolve();
    await jobs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[1].resolve();
    gates[2].resolve();
    expect(await Promise.all(jobs)).toEqual([0, 1, 2]);
    expect(sut.inFlight).toBe(0);
  });

  it('refuses fast with 503 LOGIN_BUSY once the queue is full, without running the work', async () => {
    const sut = new HashLimiter(1, 1);
    const gate = deferred();
    const first = sut.run(() => gate.promise);
    const second = sut.run(() => Promise.resolve());
    const work = jest.fn(() => Promise.resolve());
    await expect(sut.run(work)).rejects.toMatchObject({ code: 'LOGIN_BUSY', status: 503 });
    await expect(sut.run(work)).rejects.toBeInstanceOf(AppError);
    expect(work).not.toHaveBeenCalled();
    gate.resolve();
    await Promise.all([first, second]);
  });

  it('lets a caller wait in a longer queue than the default', async () => {
    const sut = new HashLimiter(1, 0);
    const gate = deferred();
    const first = sut.run(() => gate.promise);
    await expect(sut.run(() => Promise.resolve(1))).rejects.toMatchObject({ code: 'LOGIN_BUSY' });
    const patient = sut.run(() => Promise.resolve(2), { queueLimit: 5 });
    gate.resolve();
    await first;
    await expect(patient).resolves.toBe(2);
  });

  it('frees the slot when a job throws', async () => {
    const sut = new HashLimiter(1, 0);
    await expect(sut.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('holds one client to its share, so that another still gets a place in the queue', async () => {
    const sut = new HashLimiter(1, 8, 3);
    const gate = deferred();
    const flood = Array.from({ length: 24 }, () =>
      sut
        .run(() => gate.promise, { client: 'A' })
        .then(
          () => 'ok',
          (e) => e.code,
        ),
    );
    const other = sut.run(() => Promise.resolve('B got in'), { client: 'B' });
    gate.resolve();
    expect(await other).toBe('B got in');
    const outcomes = await Promise.all(flood);
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'LOGIN_BUSY')).toHaveLength(21);
  });

  it('gives a client its share back when its jobs end', async () => {
    const sut = new HashLimiter(1, 8, 1);
    await sut.run(() => Promise.resolve(1), { client: 'A' });
    await expect(sut.run(() => Promise.resolve(2), { client: 'A' })).resolves.toBe(2);
    await expect(sut.run(() => Promise.reject(new Error('boom')), { client: 'A' })).rejects.toThrow('boom');
    await expect(sut.run(() => Promise.resolve(3), { client: 'A' })).resolves.toBe(3);
  });
});

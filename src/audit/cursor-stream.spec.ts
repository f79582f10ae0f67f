import { once } from 'node:events';
import { CursorStream } from './cursor-stream';

interface Row {
  n: number;
}

/** A pool with one client whose cursor yields `total` rows; every statement is recorded. */
function fakePool(total: number, options: { failFetch?: number; failDeclare?: boolean; failRollback?: boolean } = {}) {
  const statements: string[] = [];
  let served = 0;
  let fetches = 0;
  let gate: (() => void) | null = null;
  const client = {
    query: jest.fn(async (text: string) => {
      statements.push(text.split(' ').slice(0, 2).join(' '));
      if (text.startsWith('DECLARE') && options.failDeclare) throw new Error('declare failed');
      if (text === 'ROLLBACK' && options.failRollback) throw new Error('connection lost');
      if (!text.startsWith('FETCH')) return { rows: [] };
      fetches += 1;
      if (fetches === options.failFetch) throw new Error('fetch failed');
      const size = Number(text.split(' ')[1]);
      const rows = Array.from({ length: Math.min(size, total - served) }, (_, i) => ({ n: served + i }));
      served += rows.length;
      return { rows };
    }),
    release: jest.fn(),
  };
  const pool = { connect: jest.fn(async () => client) };
  return {
    pool,
    client,
    statements,
    fetches: () => fetches,
    holdFetches: () => {
      const original = client.query.getMockImplementation()!;
      client.query.mockImplementation(async (text: string) => {
        if (text.startsWith('FETCH')) await new Promise<void>((resolve) => (gate = resolve));
        return original(text);
      });
    },
    openGate: () => gate?.(),
  };
}

const format = (rows: Row[]) => rows.map((row) => `${row.n}\n`).join('');
const open = (pool: unknown) =>
  CursorStream.open<Row>(
    pool as never,
    { text: 'SELECT n FROM t WHERE a = $1', values: [1] },
    { batchSize: 10, format, prefix: 'n\n' },
  );

describe('CursorStream', () => {
  it('sends the prefix and every row, then commits and gives the connection back', async () => {
    const fake = fakePool(25);
    const stream = await open(fake.pool);
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    expect(text.split('\n')).toEqual(['n', ...Array.from({ length: 25 }, (_, i) => String(i)), '']);
    expect(fake.statements).toEqual([
      'BEGIN ISOLATION',
      'DECLARE gatehouse_export',
      'FETCH 10',
      'FETCH 10',
      'FETCH 10',
      'FETCH 10',
      'COMMIT',
    ]);
    expect(fake.client.release).toHaveBeenCalledTimes(1);
    expect(fake.client.release).toHaveBeenCalledWith();
  });

  it('fetches only as fast as the consumer reads', async () => {
    const fake = fakePool(1_000_000);
    // 10 rows of 10 KB: one batch is more than the stream's buffer holds.
    const wide = (rows: Row[]) => rows.map((row) => `${row.n}${' '.repeat(10_000)}\n`).join('');
    const stream = await CursorStream.open<Row>(
      fake.pool as never,
      { text: 'SELECT', values: [] },
      { batchSize: 10, format: wide },
    );
    stream.read(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Nothing consumed: the buffer fills past its high-water mark after a batch or two, and no more is fetched.
    expect(fake.fetches()).toBeLessThanOrEqual(2);
    stream.destroy();
    await once(stream, 'close');
  });

  it('waits for a running FETCH before rolling back when the client goes away', async () => {
    const fake = fakePool(100);
    fake.holdFetches();
    const stream = await open(fake.pool);
    stream.resume();
    await new Promise((resolve) => setTimeout(resolve, 20));
    stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.client.release).not.toHaveBeenCalled();
    fake.openGate();
    await once(stream, 'close');
    expect(fake.statements.slice(-1)).toEqual(['ROLLBACK']);
    expect(fake.client.release).toHaveBeenCalledWith();
  });

  it('fails the stream when a FETCH fails, and discards a connection that cannot roll back', async () => {
    const fake = fakePool(100, { failFetch: 2, failRollback: true });
    const stream = await open(fake.pool);
    const failed = new Promise<Error>((resolve) => stream.on('error', resolve));
    const closed = new Promise((resolve) => stream.on('close', resolve));
    stream.resume();
    expect((await failed).message).toBe('fetch failed');
    await closed;
    expect(fake.client.release).toHaveBeenCalledWith(expect.objectContaining({ message: 'connection lost' }));
  });

  it('gives the connection back (discarded) when the cursor cannot be opened', async () => {
    const fake = fakePool(1, { failDeclare: true });
    await expect(open(fake.pool)).rejects.toThrow('declare failed');
    expect(fake.client.release).toHaveBeenCalledWith(expect.objectContaining({ message: 'declare failed' }));
  });
});

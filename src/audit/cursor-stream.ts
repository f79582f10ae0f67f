import type { Pool, PoolClient } from 'pg';
import { Readable } from 'node:stream';

export interface CursorQuery {
  text: string;
  values: unknown[];
}

export interface CursorStreamOptions<Row> {
  /** Rows fetched per round trip: what the stream holds in memory at most, besides one formatted chunk. */
  batchSize: number;
  /** Turns one batch of rows into the text sent for it. */
  format: (rows: Row[]) => string;
  /** Sent before the first batch (e.g. a CSV header). */
  prefix?: string;
}

const CURSOR = 'gatehouse_export';

/**
 * The rows of one query as a byte stream in constant memory, however many rows match: a
 * server-side cursor (DECLARE … CURSOR in a read-only, repeatable-read transaction, so the rows
 * are one consistent snapshot) on a connection held for the stream's life, read one batch at a
 * time and only when the consumer asks for more (Node's backpressure: `_read` is called again
 * once what was pushed has been written out). The connection goes back to the pool when the
 * stream ends, fails, or is destroyed because the client went away.
 */
export class CursorStream<Row> extends Readable {
  private released = false;
  private done = false;
  private inFlight: Promise<unknown> | null = null;
  private prefix: string;

  private constructor(
    private readonly client: PoolClient,
    private readonly options: CursorStreamOptions<Row>,
  ) {
    super();
    this.prefix = options.prefix ?? '';
  }

  /** Opens the cursor before answering, so that a database failure is still an error status. */
  static async open<Row>(pool: Pool, query: CursorQuery, options: CursorStreamOptions<Row>): Promise<CursorStream<Row>> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${query.text}`, query.values);
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    return new CursorStream(client, options);
  }

  override _read(): void {
    if (this.inFlight) return;
    const next = this.next();
    this.inFlight = next;
    next.then(
      (chunk) => {
        this.inFlight = null;
        if (this.destroyed) return;
        if (this.done) {
          if (chunk !== '') this.push(chunk);
          this.push(null);
        } else if (chunk === '') this._read();
        else this.push(chunk);
      },
      (error: Error) => {
        this.inFlight = null;
        this.destroy(error);
      },
    );
  }

  /** The next batch as text; after the last one, the transaction is over and the connection back. */
  private async next(): Promise<string> {
    const { rows } = await this.client.query<Row & object>(`FETCH ${this.options.batchSize} FROM ${CURSOR}`);
    const text = this.prefix;
    this.prefix = '';
    if (rows.length > 0) return text + this.options.format(rows as Row[]);
    this.done = true;
    await this.release();
    return text;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A FETCH may still be running: the connection goes back only once it has answered.
    Promise.resolve(this.inFlight)
      .catch(() => undefined)
      .then(() => this.release(error ?? undefined))
      .then(
        () => callback(error),
        (releaseError: Error) => callback(error ?? releaseError),
      );
  }

  private async release(failure?: Error): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.client.query(this.done && !failure ? 'COMMIT' : 'ROLLBACK');
      this.client.release();
    } catch (error) {
      // A connection that cannot even roll back is discarded, not reused.
      this.client.release(error as Error);
    }
  }
}

import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  /** Envelope recipients (RCPT TO). */
  rcptTo: string[];
}

export interface SmtpSink {
  port: number;
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** SMTP connections accepted since the sink started, and those still open. */
  connections(): { opened: number; open: number };
  /** Closes the listener: connections are refused until `start()`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Refuse every DATA with a 550 whose text quotes the whole message back (a hostile relay). */
  refuseQuotingBody(refuse: boolean): void;
  /** Resolves once `count` mails have arrived (or throws after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) in the test process; every mail it accepts is parsed with
 * mailparser. No mocks: the app's nodemailer talks SMTP to it over the loopback.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let refusing = false;
  let opened = 0;
  let open = 0;
  let server: SMTPServer | undefined;
  let port = 0;

  const listen = async () => {
    const created = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect(_session, callback) {
        opened += 1;
        open += 1;
        callback();
      },
      onClose() {
        open -= 1;
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          if (refusing) {
            const error = new Error(`message refused: ${raw.replace(/\s+/g, ' ')}`) as Error & { responseCode: number };
            error.responseCode = 550;
            callback(error);
            return;
          }
          simpleParser(raw)
            .then((parsed) => {
              received.push({ raw, parsed, rcptTo: session.envelope.rcptTo.map((to) => to.address) });
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => resolve());
    });
    created.on('error', () => undefined);
    port = (created.server.address() as AddressInfo).port;
    server = created;
  };
  const stop = async () => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    connections: () => ({ opened, open }),
    stop,
    start: listen,
    refuseQuotingBody: (refuse) => {
      refusing = refuse;
    },
    waitFor: async (count, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, ${received.length} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return received;
    },
    close: stop,
  };
}

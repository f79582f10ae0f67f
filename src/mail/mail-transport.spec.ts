import { mkdtempSync, promises as fs, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config/load-config';
import { MailTransport, OutgoingMessage } from './mail-transport';

const message = (id: string): OutgoingMessage => ({
  id,
  messageId: `<${id}@gatehouse.test>`,
  recipient: 'ada@example.org',
  subject: 'Your account',
  text: 'Hello',
  html: '<p>Hello</p>',
  createdAt: new Date('2026-11-30T12:00:00.000Z'),
});

describe('MailTransport without SMTP_URL (.eml files)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-mail-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes each mail as one file named after its row, and makes DATA_DIR/outbox again (0700) if it went away', async () => {
    const transport = new MailTransport(loadConfig({ DATA_DIR: dataDir }));
    await transport.onModuleInit();
    const outbox = path.join(dataDir, 'outbox');

    await transport.send(message('11111111-1111-4111-8111-111111111111'));
    await fs.rm(outbox, { recursive: true });
    await transport.send(message('22222222-2222-4222-8222-222222222222'));
    await transport.send(message('22222222-2222-4222-8222-222222222222'));

    expect(statSync(outbox).mode & 0o777).toBe(0o700);
    const files = await fs.readdir(outbox);
    expect(files).toEqual(['20261130T120000Z-22222222-2222-4222-8222-222222222222.eml']);
    const eml = await fs.readFile(path.join(outbox, files[0]), 'utf8');
    expect(eml).toContain('Message-ID: <22222222-2222-4222-8222-222222222222@gatehouse.test>');
    expect(statSync(path.join(outbox, files[0])).mode & 0o777).toBe(0o600);
  });

  it('reports a file where the folder should be, and leaves that file as it was', async () => {
    const transport = new MailTransport(loadConfig({ DATA_DIR: dataDir }));
    await transport.onModuleInit();
    const outbox = path.join(dataDir, 'outbox');
    await fs.rm(outbox, { recursive: true });
    await fs.writeFile(outbox, 'not a directory');
    await expect(transport.send(message('33333333-3333-4333-8333-333333333333'))).rejects.toMatchObject({
      code: expect.stringMatching(/ENOTDIR|EEXIST/),
    });
    expect(await fs.readFile(outbox, 'utf8')).toBe('not a directory');
  });
});

import { loadConfig } from '../config/load-config';
import type { User } from './user.entity';
import { UserMailService } from './user-mail.service';

const manager = { transactional: true };
const pending = { approvalStatus: 'pending', isVerified: true, email: 'ada@example.org', username: 'ada' } as User;

function build(env: Record<string, string> = {}) {
  let now = Date.parse('2026-11-30T12:00:00Z');
  // The digest job as the queue keeps it: `preserve_run_at` keeps a waiting job's time.
  let waiting: number | null = null;
  const mail = {
    enqueue: jest.fn(async () => ({ id: 'm', messageId: '<m@x>' })),
    schedule: jest.fn(async (_m: unknown, _task: string, _payload: unknown, options: { runAt: Date }) => {
      waiting ??= options.runAt.getTime();
      return new Date(waiting);
    }),
  };
  const sut = new UserMailService(
    mail as never,
    { registerTask: jest.fn() } as never,
    {} as never,
    {} as never,
    {} as never,
    loadConfig(env),
    { now: () => new Date(now) } as never,
  );
  return {
    sut,
    mail,
    advance: (ms: number) => (now += ms),
    digestRan: () => (waiting = null),
  };
}

describe('UserMailService.registered: the superusers’ digest', () => {
  it('schedules the digest once while it is known to wait, and again once it is due', async () => {
    const { sut, mail, advance, digestRan } = build();
    await sut.registered(manager as never, pending);
    expect(mail.schedule).toHaveBeenCalledTimes(1);
    expect(mail.schedule.mock.calls[0][3]).toMatchObject({ jobKey: 'admin-digest', jobKeyMode: 'preserve_run_at' });
    advance(5_000);
    await sut.registered(manager as never, pending);
    advance(10_000);
    await sut.registered(manager as never, pending);
    expect(mail.schedule).toHaveBeenCalledTimes(1);
    // Less than the margin before the job runs: this registration might commit after it read the table.
    advance(6_000);
    await sut.registered(manager as never, pending);
    expect(mail.schedule).toHaveBeenCalledTimes(2);
    digestRan();
    advance(30_000);
    await sut.registered(manager as never, pending);
    expect(mail.schedule).toHaveBeenCalledTimes(3);
    expect(mail.enqueue).toHaveBeenCalledTimes(5);
  });

  it('schedules again after a registration rolled back (its job may have gone with it)', async () => {
    const { sut, mail } = build();
    await sut.registered(manager as never, pending);
    sut.registrationRolledBack();
    await sut.registered(manager as never, pending);
    expect(mail.schedule).toHaveBeenCalledTimes(2);
  });

  it('schedules nothing for an account that waits for no decision, nor with ADMIN_DIGEST_MINUTES=0', async () => {
    const { sut, mail } = build();
    await sut.registered(manager as never, { ...pending, approvalStatus: 'approved' } as User);
    expect(mail.schedule).not.toHaveBeenCalled();
    expect(mail.enqueue).not.toHaveBeenCalled();
    const off = build({ ADMIN_DIGEST_MINUTES: '0' });
    await off.sut.registered(manager as never, pending);
    expect(off.mail.schedule).not.toHaveBeenCalled();
    expect(off.mail.enqueue).toHaveBeenCalledTimes(1);
  });
});

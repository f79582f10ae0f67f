import { TrustedDomainsService } from './trusted-domains.service';
import type { TrustedDomain } from './trusted-domain.entity';

const ADMIN = { id: '11111111-1111-4111-8111-111111111111', username: 'root' };
const context = { ip: '127.0.0.1', userAgent: 'jest', requestId: 'r1' };
const manager = { tx: 1 };

function entry(domain: string, institution: string | null = null): TrustedDomain {
  return { domain, institution, createdAt: new Date('2026-01-01T00:00:00Z'), createdBy: ADMIN.id };
}

function build(options: { stored?: TrustedDomain[]; superusers?: string[] } = {}) {
  const stored = new Map((options.stored ?? []).map((row) => [row.domain, row]));
  const repository = {
    list: jest.fn(async () => [...stored.values()]),
    find: jest.fn(async (_m: unknown, domain: string) => stored.get(domain) ?? null),
    findAny: jest.fn(async (domains: string[]) => domains.filter((d) => stored.has(d)).map((d) => stored.get(d)!)),
    insert: jest.fn(async (_m: unknown, row: Pick<TrustedDomain, 'domain' | 'institution' | 'createdBy'>) =>
      stored.has(row.domain) ? null : entry(row.domain, row.institution),
    ),
    delete: jest.fn(async () => true),
  };
  const superusers = new Set(options.superusers ?? [ADMIN.id]);
  const actions = {
    locked: jest.fn(async (actor: { id: string }, work: (locked: unknown) => Promise<unknown>) =>
      work({
        manager,
        superusers,
        authorize: () => {
          if (!superusers.has(actor.id)) throw Object.assign(new Error('Admin access required'), { code: 'ADMIN_REQUIRED' });
        },
      }),
    ),
  };
  const audit = { record: jest.fn(async (_manager: unknown, _event: unknown) => undefined) };
  const sut = new TrustedDomainsService(repository as never, actions as never, audit as never);
  return { sut, repository, actions, audit };
}

describe('TrustedDomainsService', () => {
  it('adds a domain in its ASCII form under the superuser lock, audited in the same transaction', async () => {
    const { sut, repository, actions, audit } = build();
    const added = await sut.add(ADMIN, 'Bücher.DE', 'Library', context);
    expect(added.domain).toBe('xn--bcher-kva.de');
    expect(actions.locked).toHaveBeenCalledTimes(1);
    expect(repository.insert).toHaveBeenCalledWith(manager, {
      domain: 'xn--bcher-kva.de',
      institution: 'Library',
      createdBy: ADMIN.id,
    });
    expect(audit.record).toHaveBeenCalledWith(manager, {
      eventType: 'trusted_domain_added',
      actor: ADMIN,
      target: null,
      ip: '127.0.0.1',
      userAgent: 'jest',
      details: { domain: 'xn--bcher-kva.de', institution: 'Library' },
    });
  });

  it('answers 409 for a domain stored already, whatever form it is given in, and writes nothing', async () => {
    const { sut, repository, audit } = build({ stored: [entry('xn--bcher-kva.de')] });
    for (const form of ['bücher.de', 'BÜCHER.DE', 'XN--BCHER-KVA.DE']) {
      await expect(sut.add(ADMIN, form, null, context)).rejects.toMatchObject({ code: 'TRUSTED_DOMAIN_EXISTS', status: 409 });
    }
    expect(repository.insert).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('checks the duplicate before the actor, and the actor before writing', async () => {
    const { sut, repository } = build({ stored: [entry('example.org')], superusers: [] });
    await expect(sut.add(ADMIN, 'example.org', null, context)).rejects.toMatchObject({ code: 'TRUSTED_DOMAIN_EXISTS' });
    await expect(sut.add(ADMIN, 'example.net', null, context)).rejects.toMatchObject({ code: 'ADMIN_REQUIRED' });
    expect(repository.insert).not.toHaveBeenCalled();
  });

  it('removes a domain named in either form, 404 for an unknown one or a non-domain', async () => {
    const { sut, repository, audit } = build({ stored: [entry('xn--bcher-kva.de', 'Library')] });
    await sut.remove(ADMIN, 'bücher.de', context);
    expect(repository.delete).toHaveBeenCalledWith(manager, 'xn--bcher-kva.de');
    expect(audit.record.mock.calls[0][1]).toMatchObject({
      eventType: 'trusted_domain_removed',
      details: { domain: 'xn--bcher-kva.de', institution: 'Library' },
    });
    await expect(sut.remove(ADMIN, 'example.org', context)).rejects.toMatchObject({
      code: 'TRUSTED_DOMAIN_NOT_FOUND',
      status: 404,
    });
    await expect(sut.remove(ADMIN, '../etc', context)).rejects.toMatchObject({ code: 'TRUSTED_DOMAIN_NOT_FOUND' });
  });

  it('finds the longest trusted domain of many addresses with one query', async () => {
    const { sut, repository } = build({ stored: [entry('example.org', 'Broad'), entry('lab.example.org', 'Narrow')] });
    expect(await sut.findMatch('ada@x.lab.example.org')).toEqual({ domain: 'lab.example.org', institution: 'Narrow' });
    repository.findAny.mockClear();
    const matches = await sut.findMatches(['a@example.org', 'b@lab.example.org', 'c@example.net']);
    expect(matches).toEqual([
      { domain: 'example.org', institution: 'Broad' },
      { domain: 'lab.example.org', institution: 'Narrow' },
      null,
    ]);
    expect(repository.findAny).toHaveBeenCalledTimes(1);
  });
});

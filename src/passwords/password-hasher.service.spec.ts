import { hash as bcryptHash } from 'bcryptjs';
import * as argon2 from 'argon2';
import { loadConfig } from '../config/load-config';
import { ARGON2_PARAMETERS, PasswordHasher, unmatchableHash } from './password-hasher.service';

describe('PasswordHasher', () => {
  let sut: PasswordHasher;
  beforeAll(() => {
    sut = new PasswordHasher(loadConfig({}));
  });
  // The hasher's idle memory release would otherwise fire after this file's environment is gone.
  afterAll(() => sut.onModuleDestroy());

  it('hashes with argon2id m=19456 KiB, t=2, p=1 and verifies its own hashes', async () => {
    const hash = await sut.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // A fresh 16-byte salt each time (22 characters of unpadded base64).
    const again = await sut.hash('correct horse');
    expect([hash.split('$')[4], again.split('$')[4]].map((salt) => salt.length)).toEqual([22, 22]);
    expect(again.split('$')[4]).not.toBe(hash.split('$')[4]);
    expect(await sut.verify(hash, 'correct horse')).toEqual({ valid: true, needsRehash: false });
    expect(await sut.verify(hash, 'wrong horse')).toEqual({ valid: false, needsRehash: false });
  });

  it.each(['2a', '2b', '2y'])('verifies bcrypt $%s$ hashes and asks for a re-hash', async (variant) => {
    const hash = (await bcryptHash('legacy-pass', 4)).replace(/^\$2b\$/, `$${variant}$`);
    expect(await sut.verify(hash, 'legacy-pass')).toEqual({ valid: true, needsRehash: true });
    expect((await sut.verify(hash, 'other-pass')).valid).toBe(false);
  });

  it('asks for a re-hash of weaker or other-variant argon2 hashes, not of stronger ones', async () => {
    const weaker = await argon2.hash('pw-123456', { type: argon2.argon2id, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    const variant = await argon2.hash('pw-123456', { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const stronger = await argon2.hash('pw-123456', { type: argon2.argon2id, memoryCost: 65536, timeCost: 3, parallelism: 4 });
    expect(await sut.verify(weaker, 'pw-123456')).toEqual({ valid: true, needsRehash: true });
    expect(await sut.verify(variant, 'pw-123456')).toEqual({ valid: true, needsRehash: true });
    expect(await sut.verify(stronger, 'pw-123456')).toEqual({ valid: true, needsRehash: false });
  });

  it('treats garbage hashes as a mismatch instead of throwing', async () => {
    for (const garbage of ['', 'plain', '$argon2id$broken', '$2b$10$short']) {
      expect(await sut.verify(garbage, 'anything')).toEqual({ valid: false, needsRehash: expect.any(Boolean) });
    }
  });

  it('spends a real verify on unknown users (the dummy hash)', async () => {
    const verify = jest.spyOn(sut, 'verify');
    await sut.verifyDummy('whatever');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verify.mock.results[0].value).resolves.toEqual({ valid: false, needsRehash: false });
    verify.mockRestore();
  });

  it('makes the dummy hash in the shape of a real one, so that argon2 computes it in full (and no password matches)', async () => {
    const real = (await argon2.hash('a password', ARGON2_PARAMETERS)).split('$');
    const dummy = unmatchableHash().split('$');
    // Same algorithm, version and parameters; salt and digest of the same lengths.
    expect(dummy.slice(0, 4)).toEqual(real.slice(0, 4));
    expect(dummy.map((part) => part.length)).toEqual(real.map((part) => part.length));
    // argon2 refuses a malformed hash at once (no work); this one it verifies, and it matches nothing.
    await expect(argon2.verify(unmatchableHash(), 'a password')).resolves.toBe(false);
    expect(unmatchableHash()).not.toBe(unmatchableHash());
  });
});

import { Module } from '@nestjs/common';
import { PasswordHasher } from './password-hasher.service';

/** Hashing (argon2id, legacy verification) behind a bounded queue; the policy is a plain function. */
@Module({
  providers: [PasswordHasher],
  exports: [PasswordHasher],
})
export class PasswordsModule {}

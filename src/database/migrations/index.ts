import { AccountTokens1795720000000 } from './1795720000000-AccountTokens';
import { AdminDigest1795770000000 } from './1795770000000-AdminDigest';
import { AdminIndexes1795640000000 } from './1795640000000-AdminIndexes';
import { Init1795636033824 } from './1795636033824-Init';
import { IdentityKeys1795700000000 } from './1795700000000-IdentityKeys';
import { LoginFailures1795710000000 } from './1795710000000-LoginFailures';
import { SessionCacheNotify1795730000000 } from './1795730000000-SessionCacheNotify';
import { MailOutbox1795760000000 } from './1795760000000-MailOutbox';
import { SearchIndex1795780000000 } from './1795780000000-SearchIndex';
import { TrustedDomains1795725000000 } from './1795725000000-TrustedDomains';
import { UserCounts1795650000000 } from './1795650000000-UserCounts';

/** Every migration, in order. Listed explicitly so that the app, the tests and the CLI agree. */
export const MIGRATIONS = [
  Init1795636033824,
  AdminIndexes1795640000000,
  UserCounts1795650000000,
  IdentityKeys1795700000000,
  LoginFailures1795710000000,
  AccountTokens1795720000000,
  TrustedDomains1795725000000,
  SessionCacheNotify1795730000000,
  MailOutbox1795760000000,
  AdminDigest1795770000000,
  SearchIndex1795780000000,
];

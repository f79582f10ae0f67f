/**
 * The server's first import (src/main.ts). It bounds the heap's growth between full collections
 * (limitHeapGrowth), then loads @nestjs/common, before anything else imports it, with the date
 * formatters it builds as it loads deferred until they are used (see withDeferredDateFormats).
 * Every later import gets this same, already loaded module.
 */
import { withDeferredDateFormats } from './common/memory/deferred-date-formats';
import { limitHeapGrowth } from './common/memory/heap-growth';

limitHeapGrowth();

// A static import would be hoisted and run before the stand-in is in place.
// eslint-disable-next-line @typescript-eslint/no-require-imports
withDeferredDateFormats(() => require('@nestjs/common') as unknown);

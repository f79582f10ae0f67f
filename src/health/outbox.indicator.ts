import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { emlOutboxDir } from '../mail/mail-transport';

/**
 * Readiness of the `.eml` mail transport (docs/API.md §16 Operations routes): DATA_DIR/outbox
 * must exist or be creatable, and take a file, as the transport does before each mail. With SMTP_URL set there is nothing to check here (an SMTP server that is
 * down only delays mail, which waits in the outbox).
 */
@Injectable()
export class OutboxIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly config: AppConfig,
  ) {}

  checks(): HealthIndicatorFunction[] {
    if (this.config.smtpUrl) return [];
    const dir = emlOutboxDir(this.config);
    return [
      () =>
        this.indicators
          .check('outbox')
          .attempt(async () => {
            const probe = path.join(dir, `.ready-${randomBytes(6).toString('hex')}`);
            await fs.mkdir(dir, { recursive: true, mode: 0o700 });
            await fs.writeFile(probe, 'ok', { mode: 0o600 });
            await fs.rm(probe, { force: true });
          })
          .withTimeout(3000),
    ];
  }
}

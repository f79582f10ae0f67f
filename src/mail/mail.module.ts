import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailDelivery } from './mail-delivery';
import { MailOutbox } from './mail-outbox.entity';
import { MailTransport } from './mail-transport';
import { MailWorker } from './mail-worker';
import { MailService } from './mail.service';

/** The outbox, its templates and its delivery (docs/API.md §13 Mail; src/mail/README.md). */
@Module({
  imports: [TypeOrmModule.forFeature([MailOutbox]), AuditModule],
  providers: [MailService, MailWorker, MailDelivery, MailTransport],
  exports: [MailService, MailWorker],
})
export class MailModule {}

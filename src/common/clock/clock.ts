import { Injectable } from '@nestjs/common';

/** Time, behind an injectable so that session rules can be tested with a fake clock. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

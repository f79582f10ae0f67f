import { Injectable, PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error';

const HYPHENATED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const COMPACT = /^[0-9a-fA-F]{32}$/;

/** A UUID, hyphenated or as 32 hex digits (as the original system accepted), normalised; anything else is 400. */
export function normaliseUserId(value: unknown): string {
  if (typeof value === 'string') {
    if (HYPHENATED.test(value)) return value.toLowerCase();
    if (COMPACT.test(value)) {
      const v = value.toLowerCase();
      return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`;
    }
  }
  throw new AppError('INVALID_USER_ID', 'Invalid user ID format');
}

@Injectable()
export class ParseUserIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    return normaliseUserId(value);
  }
}

import { OwnSessionDto } from '../../sessions/dto/session-view.dto';

export class OwnSessionListDto {
  sessions: OwnSessionDto[];
}

export class RevokedCountDto {
  /** @example 2 */
  revoked: number;
}

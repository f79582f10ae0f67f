import { IsEmail, IsString, MaxLength } from 'class-validator';

export class EmailRequestDto {
  /** @example "ada@example.org" */
  @IsEmail() @MaxLength(320) email: string;
}

export class ResetPasswordDto {
  /** The token from the reset mail. @example "q3Xv1p7mYb0E4sRzJ9kLw2aT6uH8cN5dF0gV1iO3jQ" */
  @IsString() @MaxLength(256) token: string;
  /** 8 to 128 characters, not the username or email. @example "a new long passphrase" */
  @IsString() @MaxLength(1024) password: string;
}

export class VerifyDto {
  /** The token from the verification mail. @example "Zp4Qm8Rt2Yx6Wv0Nb3Lc7Hd1Kf5Js9Ga2Ue4Io6Py8" */
  @IsString() @MaxLength(256) token: string;
}

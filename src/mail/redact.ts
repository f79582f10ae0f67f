import { oneLine } from './templates/layout';

/**
 * A delivery error as the outbox's `last_error`, the job queue and the log may keep it: the
 * error's code and SMTP status, and its message with any token and any long word of the mail
 * itself taken out (a server may quote the mail back in its refusal). Never the mail's body.
 */
export function describeFailure(error: unknown, mailContent: string): string {
  const failure = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const prefix = [failure.code, failure.responseCode].filter((part) => typeof part === 'string' || typeof part === 'number');
  let message = oneLine(typeof failure.message === 'string' ? failure.message : String(error), 100_000)
    // A quoted mail comes quoted-printable: join its soft line breaks, so a token split by one is whole again.
    .replace(/=\s+/g, '')
    .replace(/token=[^\s&"'<>]*/gi, 'token=[redacted]');
  // Long runs of token-like characters from the mail (a link's token among them), whole or cut.
  for (const run of new Set(mailContent.match(/[\w\-~%+]{16,}/g) ?? [])) message = message.split(run).join('[redacted]');
  message = message.replace(/[\w\-~%+]{16,}/g, (run) => (mailContent.includes(run) ? '[redacted]' : run));
  if (message.length > 500) message = `${message.slice(0, 499)}…`;
  return prefix.length > 0 ? `${prefix.join(' ')}: ${message}` : message;
}

import { RenderedMail } from '../mail.types';

/**
 * A mail is a list of blocks rendered twice, as plain text and as HTML, so the two parts always
 * say the same thing. Every value is escaped here, once; templates never write markup. The HTML
 * uses inline styles and the reader's own fonts: nothing is loaded from elsewhere.
 */
export type Block =
  | { type: 'paragraph'; text: string }
  | { type: 'action'; label: string; url: string }
  | { type: 'quote'; text: string }
  | { type: 'facts'; rows: Array<[string, string]> }
  | { type: 'entries'; entries: Array<Array<[string, string]>> }
  | { type: 'small'; text: string };

const TEXT_WIDTH = 72;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Control characters (line breaks included) become spaces: a user's value stays on its line. */
export function oneLine(value: string | null | undefined, max = 300): string {
  const flat = (value ?? '').replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Keeps line breaks, drops other control characters. */
function lines(value: string, max = 2000): string[] {
  const clean = value.replace(/\r\n?/g, '\n').replace(/[^\n\P{Cc}]+/gu, ' ');
  const cut = clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  return cut.split('\n').map((line) => line.trimEnd());
}

/** Words filled into lines of at most TEXT_WIDTH; `first` starts the first line, `rest` the others. */
function wrap(text: string, first = '', rest = first): string {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > TEXT_WIDTH) {
      out.push(line);
      line = rest + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
    empty = false;
  }
  if (!empty) out.push(line);
  return out.join('\n');
}

const fact = ([name, value]: [string, string], first = '', rest = first) => wrap(`${name}: ${value}`, first, `${rest}    `);

function blockText(block: Block): string {
  switch (block.type) {
    case 'paragraph':
    case 'small':
      return wrap(block.text);
    case 'action':
      // The address alone on its line, never broken: plain-text clients make it clickable.
      return `${block.label}:\n${block.url}`;
    case 'quote':
      return lines(block.text)
        .map((line) => `> ${line}`.trimEnd())
        .join('\n');
    case 'facts':
      return block.rows.map((row) => fact(row)).join('\n');
    case 'entries':
      return block.entries.map((rows) => rows.map((row, i) => fact(row, i === 0 ? '- ' : '  ', '  ')).join('\n')).join('\n\n');
  }
}

const STYLE = {
  body: 'margin:0;padding:24px 12px;background:#f4f4f5;color:#18181b;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5',
  card: 'max-width:600px;margin:0 auto;background:#ffffff;border:1px solid #e4e4e7;border-radius:8px;padding:24px',
  p: 'margin:0 0 16px 0',
  button:
    'display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600;padding:10px 18px;border-radius:6px',
  link: 'color:#1d4ed8;word-break:break-all',
  quote: 'margin:0 0 16px 0;padding:8px 12px;border-left:4px solid #a1a1aa;background:#f4f4f5;white-space:pre-wrap',
  th: 'text-align:left;vertical-align:top;padding:2px 12px 2px 0;color:#52525b;font-weight:normal;white-space:nowrap',
  td: 'vertical-align:top;padding:2px 0',
  entry: 'margin:0 0 16px 0;padding:0 0 12px 0;border-bottom:1px solid #e4e4e7;border-collapse:collapse',
  small: 'margin:16px 0 0 0;font-size:13px;color:#52525b',
};

function factsHtml(rows: Array<[string, string]>, style: string): string {
  const cells = rows.map(
    ([name, value]) =>
      `<tr><th scope="row" style="${STYLE.th}">${escapeHtml(name)}</th><td style="${STYLE.td}">${escapeHtml(value)}</td></tr>`,
  );
  return `<table role="presentation" style="${style}">${cells.join('')}</table>`;
}

function blockHtml(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return `<p style="${STYLE.p}">${escapeHtml(block.text)}</p>`;
    case 'small':
      return `<p style="${STYLE.small}">${escapeHtml(block.text)}</p>`;
    case 'action': {
      const url = escapeHtml(block.url);
      return (
        `<p style="${STYLE.p}"><a href="${url}" style="${STYLE.button}">${escapeHtml(block.label)}</a></p>` +
        `<p style="${STYLE.small}">If the button does not work, copy this address into your browser:<br><a href="${url}" style="${STYLE.link}">${url}</a></p>`
      );
    }
    case 'quote':
      return `<blockquote style="${STYLE.quote}">${lines(block.text).map(escapeHtml).join('<br>')}</blockquote>`;
    case 'facts':
      return factsHtml(block.rows, STYLE.p);
    case 'entries':
      return block.entries.map((rows) => factsHtml(rows, STYLE.entry)).join('');
  }
}

/** The two parts of one mail; `greeting` and `blocks` are plain text (escaped here). */
export function layout(subject: string, greeting: string, blocks: Block[], signature: string): RenderedMail {
  const closing = lines(signature).map((line) => (line === '' ? '' : wrap(line)));
  const text = [wrap(greeting), ...blocks.map(blockText), closing.join('\n')].join('\n\n') + '\n';
  const html =
    '<!DOCTYPE html>\n' +
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="color-scheme" content="light"><title>${escapeHtml(subject)}</title></head>\n` +
    `<body style="${STYLE.body}"><div style="${STYLE.card}">\n` +
    `<p style="${STYLE.p}">${escapeHtml(greeting)}</p>\n` +
    blocks.map(blockHtml).join('\n') +
    `\n<p style="${STYLE.small}">${lines(signature).map(escapeHtml).join('<br>')}</p>\n` +
    '</div></body></html>\n';
  return { subject, text, html };
}

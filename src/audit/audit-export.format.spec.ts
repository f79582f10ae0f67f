import { CSV_HEADER, csvCell, csvLines, ExportRow, ndjsonLines } from './audit-export.format';

const row: ExportRow = {
  id: '42',
  at: '2026-01-02T09:30:00.000Z',
  event_type: 'login_failed',
  actor_id: null,
  actor_username: null,
  target_id: '3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c',
  target_username: 'ada',
  ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0 (X11; "quoted", yes)',
  details: '{"reason": "bad_password", "identifier": "=1+1"}',
};

describe('audit export formats', () => {
  it('quotes CSV cells as RFC 4180 says, only when needed', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(null)).toBe('');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it.each(['=HYPERLINK("http://evil")', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])(
    'neutralises the formula %j with a leading apostrophe, quoted',
    (value) => {
      expect(csvCell(value)).toBe(`"'${value.replace(/"/g, '""')}"`);
    },
  );

  it('writes a header and one CRLF line per event, details as JSON text', () => {
    expect(CSV_HEADER).toBe('id,at,event_type,actor_id,actor_username,target_id,target_username,ip,user_agent,details\r\n');
    expect(csvLines([row])).toBe(
      '42,2026-01-02T09:30:00.000Z,login_failed,,,3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c,ada,203.0.113.7,' +
        '"Mozilla/5.0 (X11; ""quoted"", yes)","{""reason"": ""bad_password"", ""identifier"": ""=1+1""}"\r\n',
    );
  });

  it('writes NDJSON lines that parse to the list route’s event objects', () => {
    const text = ndjsonLines([row, { ...row, id: '43', user_agent: 'line\nbreak\u2028' }]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0])).toEqual({
      id: 42,
      at: '2026-01-02T09:30:00.000Z',
      event_type: 'login_failed',
      actor_id: null,
      actor_username: null,
      target_id: '3f1c2a9e-5b7d-4c1e-9a2b-8d6e4f0a1b2c',
      target_username: 'ada',
      ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0 (X11; "quoted", yes)',
      details: { reason: 'bad_password', identifier: '=1+1' },
    });
    expect(JSON.parse(lines[1]).user_agent).toBe('line\nbreak\u2028');
  });
});

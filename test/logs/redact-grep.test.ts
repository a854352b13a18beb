import { describe, expect, it } from 'vitest';
import { compileGrep } from '../../handlers/logs/grep.js';
import { selectLines } from '../../handlers/logs/read.js';
import { redactLogLine, redactLogLines } from '../../handlers/logs/redact.js';
import { isDocksideError } from '../../src/errors.js';

describe('redaction of application log lines', () => {
  it.each([
    ['password=hunter2 user=app', 'password=[redacted] user=app'],
    ['PGPASSWORD: s3cr3t', 'PGPASSWORD: [redacted]'],
    ['{"password":"hunter2","user":"app"}', '{"password":"[redacted]","user":"app"}'],
    ["{'client_secret': 'abc123'}", "{'client_secret': '[redacted]'}"],
    [
      'Server=db;Database=app;User Id=sa;Password=Pa55w0rd;',
      'Server=db;Database=app;User Id=sa;Password=[redacted];',
    ],
    [
      'mongodb+srv://app:pa55@cluster0.example.net/app',
      'mongodb+srv://app:[redacted]@cluster0.example.net/app',
    ],
    ['redis://default:AVNS_abc@redis.example:25061', 'redis://default:[redacted]@redis.example:25061'],
    ['Authorization: Token abcdef123456', 'Authorization: [redacted]'],
    [
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'jwt [redacted jwt]',
    ],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key [redacted key id] used'],
    ['slack xoxb-123-456-abcdef', 'slack xox?-[redacted]'],
    ['GET /health 200 3ms', 'GET /health 200 3ms'],
  ])('%s', (line, expected) => {
    expect(redactLogLine(line)).toBe(expected);
  });

  it('redacts credentials glued to a long token before the scheme', () => {
    expect(redactLogLine(`${'x'.repeat(60)}postgres://app:pw123@db:5432/app`)).toBe(
      `${'x'.repeat(60)}postgres://app:[redacted]@db:5432/app`,
    );
    expect(redactLogLine(`${'A'.repeat(80)}_DATABASE_PASSWORD=pw123`)).toBe(
      `${'A'.repeat(80)}_DATABASE_PASSWORD=[redacted]`,
    );
  });

  it('redacts half a megabyte of long tokens quickly (it was quadratic: ~10 s)', () => {
    const lines = Array.from({ length: 256 }, (_, i) =>
      i % 2 ? 'QUJD'.repeat(500) : 'token'.padEnd(2000, 'a'),
    );
    const started = performance.now();
    redactLogLines(lines);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('hides a private key printed over several lines', () => {
    expect(
      redactLogLines([
        'loading key',
        '-----BEGIN OPENSSH PRIVATE KEY-----',
        'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
        '-----END OPENSSH PRIVATE KEY-----',
        'done',
      ]),
    ).toEqual([
      'loading key',
      '[redacted private key]',
      '[redacted private key]',
      '[redacted private key]',
      'done',
    ]);
  });
});

describe('--grep', () => {
  const usage = '/logs ...';
  it('matches case-insensitively, like grep -i', () => {
    const test = compileGrep('error|fatal', usage);
    expect(['ERROR x', 'Fatal y', 'info z'].filter(test)).toEqual(['ERROR x', 'Fatal y']);
  });

  it.each([['(a'], ['a\\1'], ['(?=x)'], ['x'.repeat(201)], ['']])(
    'refuses %s as a usage error',
    (pattern) => {
      let caught: unknown;
      try {
        compileGrep(pattern, usage);
      } catch (err) {
        caught = err;
      }
      expect(isDocksideError(caught, 'usage')).toBe(true);
    },
  );

  it('cannot find a secret through its redaction', () => {
    const text = 'DB password=hunter2\nok\n';
    expect(selectLines(text, 10, compileGrep('hunter', usage))).toEqual({
      lines: [],
      scanned: 2,
      matched: 0,
    });
  });

  it('keeps the last n lines, cutting very long ones', () => {
    const text = `${Array.from({ length: 50 }, (_, i) => `l${i}`).join('\n')}\n${'z'.repeat(3000)}\n`;
    const picked = selectLines(text, 3);
    expect(picked.scanned).toBe(51);
    expect(picked.lines.slice(0, 2)).toEqual(['l48', 'l49']);
    expect(picked.lines[2]).toHaveLength(2001);
  });
});

/**
 * Redaction of application log text before it reaches Slack. First the same scrub
 * as dockside's own logs (known secrets, tokens, credentials in connection strings),
 * then the shapes applications print about themselves: `password=...`,
 * `"secret": "..."`, authorization headers, JWTs and keys.
 */
import { scrub } from '../../src/secrets.js';

// Matches start at the keyword (or a quote) and name parts are bounded: a `[...]*` in
// front of the keyword would be tried at every character of long tokens (base64,
// minified code), which logs are full of, and was quadratic there.
const KEYWORD =
  '(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth|credentials?|session[_-]?id|cookie)';
const NAME = '[A-Za-z0-9_.-]{0,100}';

const PATTERNS: Array<[RegExp, string]> = [
  // "password": "x", 'db_token': 'x'
  [new RegExp(`(["']${NAME}?${KEYWORD}${NAME}["']\\s*:\\s*)"[^"]*"`, 'gi'), '$1"[redacted]"'],
  [new RegExp(`(["']${NAME}?${KEYWORD}${NAME}["']\\s*:\\s*)'[^']*'`, 'gi'), "$1'[redacted]'"],
  // password=x, PGPASSWORD: x, Password=x; (ADO.NET), DB_PASSWORD="x"
  [
    new RegExp(`(${KEYWORD}${NAME})(\\s*[=:]\\s*)(?!\\[redacted\\])("[^"]*"|'[^']*'|[^\\s,;&"'}]+)`, 'gi'),
    '$1$2[redacted]',
  ],
  // Authorization headers of any scheme, cookies
  [/\b(authorization|proxy-authorization|set-cookie|cookie)(\s*[:=]\s*)[^\r\n]+/gi, '$1$2[redacted]'],
  // JSON web tokens
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[redacted jwt]'],
  // AWS / Spaces access key ids
  [/\b(AKIA|ASIA|DO00)[A-Z0-9]{12,}\b/g, '[redacted key id]'],
  // PEM private keys printed whole on one line
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted private key]'],
];

export function redactLogLine(line: string): string {
  let out = scrub(line);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

const PEM_BEGIN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z ]*PRIVATE KEY-----/;

/** Every line redacted; a private key printed over several lines is hidden whole. */
export function redactLogLines(lines: readonly string[]): string[] {
  let inKey = false;
  return lines.map((line) => {
    if (inKey) {
      if (PEM_END.test(line)) inKey = false;
      return '[redacted private key]';
    }
    if (PEM_BEGIN.test(line) && !PEM_END.test(line)) {
      inKey = true;
      return '[redacted private key]';
    }
    return redactLogLine(line);
  });
}

/**
 * Redaction of application log text before it reaches Slack. First the same scrub
 * as dockside's own logs (known secrets, tokens, credentials inside URLs), then the
 * shapes applications print about themselves: `password=...`, `"secret": "..."`,
 * connection strings and keys.
 */
import { scrub } from '../../src/secrets.js';

const KEY = `[A-Za-z0-9_.-]*(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth|credentials?|session[_-]?id|cookie)[A-Za-z0-9_.-]*`;

const PATTERNS: Array<[RegExp, string]> = [
  // "password": "x", 'token': 'x'
  [new RegExp(String.raw`(["']${KEY}["']\s*:\s*)"[^"]*"`, 'gi'), '$1"[redacted]"'],
  [new RegExp(String.raw`(["']${KEY}["']\s*:\s*)'[^']*'`, 'gi'), "$1'[redacted]'"],
  // password=x, PGPASSWORD: x, Password=x; (ADO.NET), api_key x-ish until a separator
  [
    new RegExp(String.raw`\b(${KEY})(\s*[=:]\s*)(?!\[redacted\])("[^"]*"|'[^']*'|[^\s,;&"'}]+)`, 'gi'),
    '$1$2[redacted]',
  ],
  // Authorization headers of any scheme, cookies
  [/\b(authorization|proxy-authorization|set-cookie|cookie)(\s*[:=]\s*)[^\r\n]+/gi, '$1$2[redacted]'],
  // Credentials in a connection string's user-info, also without a password (user@ only is kept)
  [/([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@]+):([^\s@/]+)@/gi, '$1$2:[redacted]@'],
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

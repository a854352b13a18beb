import http from 'node:http';
import https from 'node:https';

/**
 * Posts to a command's response_url. Bolt's respond() does this with fetch, whose
 * web-streams machinery costs more CPU than the rest of a command's handling; this is
 * one keep-alive request with the same JSON body.
 */
export function createResponseUrlPoster(options: { timeoutMs?: number } = {}) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return (responseUrl: string, body: Record<string, unknown>): Promise<void> => {
    const url = new URL(responseUrl);
    const data = JSON.stringify(body);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: url.protocol === 'https:' ? agents['https:'] : agents['http:'],
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(data),
          },
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            (res.statusCode ?? 500) < 300
              ? resolve()
              : reject(new Error(`response_url answered HTTP ${res.statusCode ?? '?'}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('response_url did not answer in time')));
      req.on('error', reject);
      req.end(data);
    });
  };
}

export type ResponseUrlPoster = ReturnType<typeof createResponseUrlPoster>;

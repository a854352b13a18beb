import { describe, expect, it } from 'vitest';
import { Config } from '../src/config/schema.js';
import { registerConfiguredSecrets, scrub } from '../src/secrets.js';

describe('scrub', () => {
  it.each([
    ['Slack bot token', 'xoxb-1234-5678-abcdefABCDEF'],
    ['Slack refresh token', 'xoxe-1-My0xLTEyMzQ1Njc4OTAtYWJjZGVm'],
    ['Slack rotating token', 'xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAtYWJj'],
    ['Slack app token', 'xapp-1-A0123-456-abcdef'],
    ['DigitalOcean token', `dop_v1_${'a1'.repeat(32)}`],
    ['DigitalOcean OAuth token', `doo_v1_${'b2'.repeat(32)}`],
    ['DigitalOcean refresh token', `dor_v1_${'c3'.repeat(32)}`],
    ['GitHub fine-grained token', `github_pat_11ABCDEFG0abcdefghijkl_${'x'.repeat(59)}`],
    ['GitHub classic token', `ghp_${'A'.repeat(36)}`],
    ['Spaces access key', 'DO00QWERTYUIOPASDFGH'],
  ])('removes a %s found in any text', (_kind, token) => {
    const out = scrub(`failed with ${token}, try again`);
    expect(out).not.toContain(token);
    expect(out).toMatch(/^failed with .*\[redacted\], try again$/);
  });

  it('removes the password of any URL, and leaves ordinary words alone', () => {
    expect(scrub('postgres://app:s3cr3t@db:5432/x')).toBe('postgres://app:[redacted]@db:5432/x');
    expect(scrub('the token expired, ask for a new one')).toBe('the token expired, ask for a new one');
  });

  it('redacts what the config names: database passwords, the GitHub token, Spaces keys, env secrets', () => {
    const config = Config.parse({
      channels: { ops: 'C0123456789' },
      databases: { main: { engine: 'postgres', url: 'postgres://ro:pa%24%24word-1@db/app' } },
      github: { token: 'plain-github-token-1' },
      backups: {
        destination: {
          type: 's3',
          endpoint: 'https://fra1.digitaloceanspaces.com',
          bucket: 'acme',
          access_key_id: 'spaces-key-id-1',
          secret_access_key: 'spaces-secret-1',
        },
      },
    });
    registerConfiguredSecrets(
      { SLACK_SIGNING_SECRET: 'signing-secret-1', SPACES_SECRET: 'env-spaces-1' },
      config,
    );
    const text =
      'pa$$word-1 pa%24%24word-1 plain-github-token-1 spaces-key-id-1 spaces-secret-1 signing-secret-1 env-spaces-1';
    expect(scrub(text)).toBe(Array(7).fill('[redacted]').join(' '));
  });
});

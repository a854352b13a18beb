import { describe, expect, it } from 'vitest';
import { DocksideError, plainErrorText } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { escapeText } from '../src/render/format.js';
import { toUserMessage } from '../src/user-message.js';

const silent = createLogger({ level: 'silent' });

describe('an error as a person reads it', () => {
  it('ends what happened before it says what to do, in Slack', () => {
    const err = new DocksideError('forbidden', 'Load balancer lb-1 was not found on DigitalOcean', {
      hint: 'Check the id in dockside.yml.',
    });
    expect(toUserMessage(err, silent)).toBe(
      'Load balancer lb-1 was not found on DigitalOcean. Check the id in dockside.yml.',
    );
    // A message that ends on its own punctuation is left as it is.
    const asked = new DocksideError('usage', 'Which environment of `web`? (`staging`)', { hint: 'Usage: x' });
    expect(toUserMessage(asked, silent)).toBe('Which environment of `web`? (`staging`) Usage: x');
  });

  it('is plain text in a terminal or an audit entry: what Slack needed escaped reads as typed', () => {
    const err = new DocksideError(
      'do_not_found',
      `Load balancer ${escapeText('<!channel> & co')} was not found`,
      {
        hint: 'Check the id.',
      },
    );
    expect(plainErrorText(err)).toBe('Load balancer <!channel> & co was not found. Check the id.');
    expect(plainErrorText(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:6379',
    );
  });
});

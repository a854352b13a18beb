import type { ApprovalRequest } from '../../approvals/types.js';
import { DocksideError } from '../../src/errors.js';

/** The approval is void when what it was bound to moved on; say what moved. */
export function assertSame(
  request: Pick<ApprovalRequest, 'binding' | 'command'>,
  key: string,
  now: string,
  what: string,
): void {
  const approved = request.binding[key];
  if (approved !== now) {
    throw new DocksideError(
      'approval_stale',
      `${what} changed since this was requested (was ${approved ?? 'nothing'}, now ${now}), so this approval is void and nothing was done.`,
      { hint: `Run \`${request.command}\` again to ask for a new approval.` },
    );
  }
}

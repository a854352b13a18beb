/**
 * What Slack's Web API checks before it accepts a call, for the fake Slack: the scope
 * each method needs, and the Block Kit limits (api.slack.com/reference/block-kit) whose
 * breach answers `invalid_blocks`. Only what dockside sends is modelled.
 */

/** The bot scopes of manifest.yml (`oauth_config.scopes.bot`); a test keeps them equal. */
export const MANIFEST_BOT_SCOPES = [
  'commands',
  'chat:write',
  'files:write',
  'usergroups:read',
  'channels:read',
  'groups:read',
  'channels:history',
  'groups:history',
];

/** Scope each Web API method needs (none listed: any valid token may call it). */
export const METHOD_SCOPES: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.delete': 'chat:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'usergroups.users.list': 'usergroups:read',
  'conversations.info': 'channels:read',
  // The fake's channels are public ones (C...); a private channel needs groups:history instead.
  'conversations.replies': 'channels:history',
  'users.info': 'users:read',
  'users.list': 'users:read',
};

const BLOCK_TYPES = new Set([
  'section',
  'actions',
  'context',
  'divider',
  'header',
  'image',
  'input',
  'rich_text',
]);
const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

type Json = Record<string, unknown>;

function textOf(value: unknown, where: string, max: number, errors: string[], plainOnly = false): void {
  if (!value || typeof value !== 'object') {
    errors.push(`${where} must be a text object`);
    return;
  }
  const t = value as Json;
  if (!TEXT_TYPES.has(String(t.type)) || (plainOnly && t.type !== 'plain_text')) {
    errors.push(`${where}.type must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`);
  }
  if (typeof t.text !== 'string' || t.text.length === 0) errors.push(`${where}.text must not be empty`);
  else if (t.text.length > max) errors.push(`${where}.text must be at most ${max} characters`);
}

function element(el: Json, where: string, errors: string[]): void {
  if (typeof el.action_id === 'string' && el.action_id.length > 255) {
    errors.push(`${where}.action_id must be at most 255 characters`);
  }
  if (el.type === 'button') {
    textOf(el.text, `${where}.text`, 75, errors, true);
    if (typeof el.value === 'string' && el.value.length > 2000) {
      errors.push(`${where}.value must be at most 2000 characters`);
    }
    if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
      errors.push(`${where}.style must be primary or danger`);
    }
    const confirm = el.confirm as Json | undefined;
    if (confirm) {
      textOf(confirm.title, `${where}.confirm.title`, 100, errors, true);
      textOf(confirm.text, `${where}.confirm.text`, 300, errors);
      textOf(confirm.confirm, `${where}.confirm.confirm`, 30, errors, true);
      textOf(confirm.deny, `${where}.confirm.deny`, 30, errors, true);
    }
  }
}

/** The problems Slack would name for these blocks (empty when it would accept them). */
export function blockProblems(blocks: unknown): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  const errors: string[] = [];
  if (blocks.length > 50) errors.push('no more than 50 items allowed [json-pointer:/blocks]');
  const ids = new Set<string>();
  blocks.forEach((raw, i) => {
    const where = `/blocks/${i}`;
    if (!raw || typeof raw !== 'object') {
      errors.push(`${where} must be an object`);
      return;
    }
    const block = raw as Json;
    if (!BLOCK_TYPES.has(String(block.type)))
      errors.push(`${where}.type "${String(block.type)}" is not a block type`);
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) errors.push(`${where}.block_id must be at most 255 characters`);
      if (ids.has(block.block_id)) errors.push(`${where}.block_id "${block.block_id}" is used twice`);
      ids.add(block.block_id);
    }
    if (block.type === 'section') {
      if (block.text === undefined && block.fields === undefined)
        errors.push(`${where} needs text or fields`);
      if (block.text !== undefined) textOf(block.text, `${where}.text`, 3000, errors);
      const fields = (block.fields as unknown[] | undefined) ?? [];
      if (fields.length > 10) errors.push(`${where}.fields must have at most 10 items`);
      for (const [j, f] of fields.entries()) textOf(f, `${where}.fields/${j}`, 2000, errors);
      if (block.accessory) element(block.accessory as Json, `${where}.accessory`, errors);
    }
    if (block.type === 'header') textOf(block.text, `${where}.text`, 150, errors, true);
    if (block.type === 'context') {
      const elements = (block.elements as unknown[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > 10)
        errors.push(`${where}.elements must have 1 to 10 items`);
      elements.forEach((e, j) => {
        const t = e as Json;
        if (t.type !== 'image') textOf(t, `${where}.elements/${j}`, 3000, errors);
      });
    }
    if (block.type === 'actions') {
      const elements = (block.elements as Json[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > 25)
        errors.push(`${where}.elements must have 1 to 25 items`);
      for (const [j, e] of elements.entries()) element(e, `${where}.elements/${j}`, errors);
      const actionIds = elements.map((e) => e.action_id).filter((a) => typeof a === 'string');
      if (new Set(actionIds).size !== actionIds.length) errors.push(`${where} has an action_id twice`);
    }
  });
  return errors;
}

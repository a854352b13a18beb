import type { FakeMessage, FakeSlack } from '../../src/sandbox/fake-slack.js';
import { buttonsOf, type SlackDriver } from '../../src/sandbox/slack-driver.js';
import { waitFor } from './world.js';

/** The newest approval message in the ops channel. */
export function approvalMessages(slack: FakeSlack): FakeMessage[] {
  return slack.messages.filter((m) => m.channel === 'C0OPS' && m.text.startsWith('Approval'));
}

export async function newApproval(slack: FakeSlack, before: number): Promise<FakeMessage> {
  return waitFor('an approval message', () => approvalMessages(slack)[before]);
}

export function button(message: FakeMessage, text: string) {
  const found = buttonsOf(message).find((b) => b.text.startsWith(text));
  if (!found) throw new Error(`no "${text}" button in: ${message.text}`);
  return found;
}

export async function click(driver: SlackDriver, user: string, message: FakeMessage, text: string) {
  const res = await driver.click(user, message, button(message, text));
  if (res.status !== 200) throw new Error(`click answered ${res.status}`);
}

export function stateOf(message: FakeMessage): string {
  return message.text.split(':')[0] ?? '';
}

import type { KnownBlock } from '@slack/types';
import type { WatchRecord } from '../../handlers/deploy/watchers.js';
import { type Deployment, deploymentConsoleUrl } from '../do/port.js';
import { escapeText, formatDuration, phaseIcon, shortId, truncate } from './format.js';

export interface HealthProbeResult {
  ok: boolean;
  /** One line: "200 OK in 84 ms, database connected" or "timed out after 5 s". */
  summary: string;
}

export interface DeploymentView {
  record: WatchRecord;
  deployment?: Deployment;
  /** Final lines: failure reason, health result, what to do next. */
  outcome?: { ok: boolean; lines: string[] };
  /** Buttons, e.g. Rollback after a failed health check. */
  actions?: KnownBlock;
  now: number;
}

const TITLES: Record<string, string> = {
  deploy: 'Deploying',
  promote: 'Promoting to',
  rollback: 'Rolling back',
  revert: 'Reverting rollback of',
  restart: 'Restarting',
};

export function deploymentMessage(view: DeploymentView): { text: string; blocks: KnownBlock[] } {
  const { record, deployment } = view;
  const verb = TITLES[record.kind] ?? 'Deploying';
  const target = `${record.app} ${record.env}`;
  const phase = deployment?.phase ?? 'PENDING_BUILD';
  const elapsed = formatDuration(view.now - Date.parse(record.startedAt));
  const icon = view.outcome ? (view.outcome.ok ? ':white_check_mark:' : ':x:') : phaseIcon(phase);
  const steps = deployment?.progress.totalSteps
    ? ` (${deployment.progress.successSteps}/${deployment.progress.totalSteps} steps)`
    : '';
  const link = `<${deploymentConsoleUrl(record.appId, record.deploymentId)}|deployment ${shortId(record.deploymentId)}>`;
  const title = `${icon} *${verb} ${target}*: ${phase}${steps}, ${elapsed}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(
            `Requested by <@${record.user}> · ${link}${deployment?.cause ? ` · ${escapeText(deployment.cause)}` : ''}`,
            2900,
          ),
        },
      ],
    },
  ];
  const lines = [...(record.lines ?? []), ...(view.outcome?.lines ?? [])];
  if (lines.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 2900) } });
  }
  if (view.actions) blocks.push(view.actions);
  const summary = view.outcome
    ? `${verb} ${target}: ${view.outcome.ok ? 'done' : 'failed'}`
    : `${verb} ${target}: ${phase}`;
  return { text: summary, blocks };
}

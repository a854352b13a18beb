import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per process (not the global one), so tests can build several bots. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dockside_' });
  return {
    registry,
    commands: new Counter({
      name: 'dockside_commands_total',
      help: 'Slash commands handled, by command and outcome',
      labelNames: ['command', 'outcome'] as const,
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'dockside_slack_ack_seconds',
      help: 'Time from receiving a Slack request to acknowledging it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    slackRequests: new Counter({
      name: 'dockside_slack_requests_total',
      help: 'Requests to POST /slack/events, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    doCalls: new Counter({
      name: 'dockside_do_api_calls_total',
      help: 'DigitalOcean API calls, by method, route and HTTP status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

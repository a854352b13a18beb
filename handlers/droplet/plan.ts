import type { DropletsConfig } from '../../src/config/schema.js';
import { DocksideError } from '../../src/errors.js';
import { shortDigest } from '../../src/registry/image.js';
import type { PlanDescription, PlanKind, Release, ReleasePlan, ServiceChange } from '../deploy/target.js';

const flat = (r: Release | undefined) =>
  r
    ? r.services
        .map((s) => `${s.service}=${s.digest}`)
        .sort()
        .join(',')
    : 'none';

/**
 * A plan for a Droplet env: the release must name exactly the env's services, from the
 * same repositories (a digest means nothing in another repository).
 */
export function planFor(input: {
  app: string;
  env: string;
  config: DropletsConfig;
  kind: PlanKind;
  release: Release;
  current?: Release;
}): ReleasePlan {
  const { app, env, config, kind, release, current } = input;
  const changes: ServiceChange[] = [];
  for (const [service, spec] of Object.entries(config.services)) {
    const image = release.services.find((s) => s.service === service);
    if (!image) {
      throw new DocksideError(
        'promote_not_possible',
        `The release has no image for ${service}, which ${app} ${env} runs.`,
      );
    }
    if (image.image !== spec.image) {
      throw new DocksideError(
        'promote_not_possible',
        `${service} comes from ${image.image} in the release but ${app} ${env} runs ${spec.image}.`,
        { hint: 'Both envs must use the same repository for a digest to mean the same image.' },
      );
    }
    const was = current?.services.find((s) => s.service === service);
    changes.push({
      service,
      image: spec.image,
      ...(was ? { from: { digest: was.digest, ...(was.tag ? { tag: was.tag } : {}) } } : {}),
      to: { digest: image.digest, ...(image.tag ? { tag: image.tag } : {}) },
    });
  }
  const extra = release.services.filter((s) => !(s.service in config.services)).map((s) => s.service);
  if (extra.length > 0) {
    throw new DocksideError('promote_not_possible', `${app} ${env} has no service ${extra.join(', ')}.`);
  }
  return {
    app,
    env,
    kind,
    release,
    ...(current ? { current } : {}),
    changes,
    binding: {
      target: 'droplets',
      app,
      env,
      kind,
      release_id: release.id,
      release: flat(release),
      current: flat(current),
    },
  };
}

const VERB: Record<PlanKind, string> = { deploy: 'Deploy to', rollback: 'Roll back', promote: 'Promote to' };

const side = (d: { digest: string; tag?: string }) => `${shortDigest(d.digest)}${d.tag ? ` (${d.tag})` : ''}`;

/** Plain text for an approval card; whoever renders it as mrkdwn escapes it. */
export function describePlan(plan: ReleasePlan): PlanDescription {
  return {
    title: `${VERB[plan.kind]} ${plan.app} ${plan.env}`,
    lines: plan.changes.map((c) => {
      if (c.from?.digest === c.to.digest) return `${c.service}: ${side(c.to)} unchanged`;
      return `${c.service}: ${c.from ? side(c.from) : 'nothing'} -> ${side(c.to)}`;
    }),
  };
}

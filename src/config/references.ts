import { didYouMean, uuidProblem } from './formats.js';
import { isRecord } from './issues.js';
import type { ConfigProblem } from './problems.js';

/**
 * Checks that span fields: names in one section must exist in another, ids must look
 * like DigitalOcean ids. They read the document as written (after ${VAR} replacement)
 * rather than the parsed config, so they run even when other fields are broken and
 * everything is reported in one pass.
 */

const recordAt = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
const listAt = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function unknownName(
  path: string,
  kind: string,
  name: string,
  known: string[],
  where: string,
): ConfigProblem {
  const guess = didYouMean(name, known);
  return {
    path,
    message: `${kind} "${name}" is not in ${where}${guess ? `; did you mean "${guess}"?` : ''}`,
    hint: known.length > 0 ? `Known: ${known.join(', ')}.` : `${where} is empty.`,
  };
}

export function checkReferences(doc: unknown): ConfigProblem[] {
  const root = recordAt(doc);
  const apps = recordAt(root.apps);
  const databases = recordAt(root.databases);
  const access = recordAt(root.access);
  const roles = Object.keys(recordAt(access.roles));
  const envsOf = (app: string) => Object.keys(recordAt(recordAt(apps[app]).environments));
  const allEnvs = [...new Set(Object.keys(apps).flatMap(envsOf))];
  const problems: ConfigProblem[] = [];

  listAt(access.grants).forEach((raw, i) => {
    const grant = recordAt(raw);
    const at = `access.grants[${i}]`;
    const role = text(grant.role);
    if (role && !roles.includes(role)) {
      problems.push(unknownName(`${at}.role`, 'role', role, roles, 'access.roles'));
    }
    const grantApps = listAt(grant.apps).map(text);
    grantApps.forEach((app, j) => {
      if (app && !apps[app])
        problems.push(unknownName(`${at}.apps[${j}]`, 'app', app, Object.keys(apps), 'apps'));
    });
    // An env name that no (granted) app has never matches: the grant would silently allow nothing.
    const scope = grantApps.filter((a): a is string => Boolean(a && apps[a]));
    const envs = scope.length > 0 ? [...new Set(scope.flatMap(envsOf))] : allEnvs;
    listAt(grant.envs).forEach((env, j) => {
      const name = text(env);
      if (name && !envs.includes(name)) {
        const where = scope.length > 0 ? `the environments of ${scope.join(', ')}` : "any app's environments";
        problems.push(unknownName(`${at}.envs[${j}]`, 'environment', name, envs, where));
      }
    });
    listAt(grant.databases).forEach((db, j) => {
      const name = text(db);
      if (name && !databases[name]) {
        problems.push(
          unknownName(`${at}.databases[${j}]`, 'database', name, Object.keys(databases), 'databases'),
        );
      }
    });
  });

  const approvals = recordAt(root.approvals);
  const approverRole = text(approvals.approver_role) ?? 'approver';
  if (Object.keys(apps).length > 0 && !roles.includes(approverRole)) {
    problems.push({
      ...unknownName('approvals.approver_role', 'role', approverRole, roles, 'access.roles'),
      hint: `Nobody could approve a production change. Add a role "${approverRole}" under access.roles, or set approvals.approver_role to an existing role.`,
    });
  }

  const seenAppIds = new Map<string, string>();
  for (const [appName, rawApp] of Object.entries(apps)) {
    const app = recordAt(rawApp);
    const envs = envsOf(appName);
    const promote = recordAt(app.promote);
    for (const side of ['from', 'to'] as const) {
      const env = text(promote[side]);
      if (env && !envs.includes(env)) {
        problems.push(
          unknownName(
            `apps.${appName}.promote.${side}`,
            'environment',
            env,
            envs,
            `apps.${appName}.environments`,
          ),
        );
      }
    }
    for (const env of envs) {
      const at = `apps.${appName}.environments.${env}.app_id`;
      const id = text(recordAt(recordAt(app.environments)[env]).app_id);
      if (!id) continue;
      const bad = uuidProblem(id, 'an App Platform app', 'doctl apps list');
      if (bad) problems.push({ path: at, message: bad });
      const other = seenAppIds.get(id.toLowerCase());
      if (other) {
        problems.push({
          path: at,
          message: `is the same app as ${other}`,
          hint: 'Each environment is its own App Platform app; a deploy to one would change the other.',
        });
      } else seenAppIds.set(id.toLowerCase(), at);
    }
  }

  for (const [dbName, rawDb] of Object.entries(databases)) {
    const db = recordAt(rawDb);
    const clusterId = text(db.cluster_id);
    if (clusterId) {
      const bad = uuidProblem(clusterId, 'a database cluster', 'doctl databases list');
      if (bad) problems.push({ path: `databases.${dbName}.cluster_id`, message: bad });
    }
    const targetName = text(db.restore_target);
    if (!targetName) continue;
    const at = `databases.${dbName}.restore_target`;
    const target = recordAt(databases[targetName]);
    if (targetName === dbName) {
      problems.push({
        path: at,
        message: 'must not be the database itself',
        hint: 'Name a scratch database.',
      });
    } else if (!databases[targetName]) {
      problems.push(
        unknownName(
          at,
          'database',
          targetName,
          Object.keys(databases).filter((d) => d !== dbName),
          'databases',
        ),
      );
    } else if (text(target.engine) !== text(db.engine)) {
      problems.push({ path: at, message: `must be a ${String(db.engine)} database like ${dbName}` });
    } else if (text(target.url) && text(target.url) === text(db.url)) {
      problems.push({ path: at, message: `points at the same database URL as ${dbName}` });
    }
  }
  return problems;
}

/**
 * zod schemas of DigitalOcean's managed database answers (a cluster, its backups) and
 * their mapping to port.ts's types; lenient, as schema.ts.
 */
import { z } from 'zod';
import type { DatabaseCluster, ManagedBackup } from './port.js';

const DatabaseClusterSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    engine: z.string(),
    version: z.string().nullish(),
    region: z.string(),
    size: z.string(),
    num_nodes: z.number(),
    storage_size_mib: z.number().nullish(),
    status: z.string().nullish(),
    private_network_uuid: z.string().nullish(),
    project_id: z.string().nullish(),
  })
  .transform(
    (c): DatabaseCluster => ({
      id: c.id,
      name: c.name,
      engine: c.engine,
      version: c.version ?? '',
      region: c.region,
      size: c.size,
      numNodes: c.num_nodes,
      ...(c.storage_size_mib ? { storageSizeMib: c.storage_size_mib } : {}),
      status: c.status ?? 'unknown',
      ...(c.private_network_uuid ? { privateNetworkUuid: c.private_network_uuid } : {}),
      ...(c.project_id ? { projectId: c.project_id } : {}),
    }),
  );

export const DatabaseResponse = z.object({ database: DatabaseClusterSchema });

export const BackupsResponse = z
  .looseObject({
    backups: z
      .array(z.looseObject({ created_at: z.string(), size_gigabytes: z.number().nullish() }))
      .nullish(),
  })
  .transform((b): ManagedBackup[] =>
    (b.backups ?? []).map((x) => ({ createdAt: x.created_at, sizeGigabytes: x.size_gigabytes ?? 0 })),
  );

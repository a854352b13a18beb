/**
 * zod schema of an app spec as DigitalOcean returns it. Unknown keys are kept, so a PUT
 * of the spec sends back everything DO returned; lenient, as schema.ts.
 */
import { z } from 'zod';

// The App spec requires none of these (an image may be named by registry and repository,
// or DO may add new source kinds); dockside reads what is there and sends the rest back.
const ImageSource = z.looseObject({
  registry_type: z.string().optional(),
  registry: z.string().optional(),
  repository: z.string().optional(),
  tag: z.string().optional(),
  digest: z.string().optional(),
  deploy_on_push: z.looseObject({ enabled: z.boolean().optional() }).optional(),
});

const GitSource = z.looseObject({
  repo_clone_url: z.string().optional(),
  repo: z.string().optional(),
  branch: z.string().optional(),
  deploy_on_push: z.boolean().optional(),
});

const ComponentSpec = z.looseObject({
  name: z.string(),
  image: ImageSource.optional(),
  github: GitSource.optional(),
  gitlab: GitSource.optional(),
  bitbucket: GitSource.optional(),
  git: GitSource.optional(),
});

export const AppSpecSchema = z.looseObject({
  name: z.string(),
  services: z.array(ComponentSpec).optional(),
  workers: z.array(ComponentSpec).optional(),
  jobs: z.array(ComponentSpec).optional(),
  static_sites: z.array(ComponentSpec).optional(),
});

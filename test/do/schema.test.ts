import { describe, expect, it } from 'vitest';
import { AppResponse } from '../../src/do/schema.js';

describe('DigitalOcean response schemas', () => {
  it('reads an image source without registry_type or repository, which the App spec does not require', () => {
    const image = { registry: 'acme', digest: 'sha256:0123', deploy_on_push: { enabled: false }, extra: 1 };
    const parsed = AppResponse.parse({
      app: { id: 'app-1', spec: { name: 'web', services: [{ name: 'api', image }] } },
    });
    // Kept as DigitalOcean sent it, so a PUT of the spec sends back everything.
    expect(parsed.app.spec.services?.[0]?.image).toEqual(image);
  });
});

import { randomBytes } from 'node:crypto';

/**
 * The manifest kinds a tag can point at (OCI image-spec and Docker's schema 2), each
 * with a fresh random config/child digest so every push is a new manifest.
 */
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
const amd64 = { architecture: 'amd64', os: 'linux' };

export const MANIFEST_TYPES = {
  [OCI_INDEX]: () => ({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ mediaType: OCI_MANIFEST, digest: digest(), size: 1234, platform: amd64 }],
  }),
  [DOCKER_LIST]: () => ({
    schemaVersion: 2,
    mediaType: DOCKER_LIST,
    manifests: [{ mediaType: DOCKER_MANIFEST, digest: digest(), size: 1234, platform: amd64 }],
  }),
  [OCI_MANIFEST]: () => ({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(), size: 456 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(), size: 7890 }],
  }),
  [DOCKER_MANIFEST]: () => ({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: digest(), size: 456 },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digest(), size: 7890 },
    ],
  }),
} as const;

export type ManifestType = keyof typeof MANIFEST_TYPES;

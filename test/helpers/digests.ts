/**
 * The digests a release file pins, in order, read with a regex of its own rather than the
 * code under test, so a test compares what the hosts hold against an independent reading.
 */
export const digestsIn = (file: string | undefined) =>
  [...(file ?? '').matchAll(/@(sha256:[a-f0-9]{64})/g)].map((m) => m[1]);

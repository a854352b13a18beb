import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { isOutcomeUnknown } from '../../src/do/errors.js';
import { APP, deploymentBody, failure, HOST, setup } from './helpers.js';

const GARBLED = '<html><body>502 Bad Gateway</body></html>';

// Issue 13, degraded: a GET whose body was not JSON was not retried and was blamed on
// "a DigitalOcean API change".
describe('DigitalOcean answers with a body that is not JSON', () => {
  it('a read is retried like a 5xx and then succeeds', async () => {
    nock(HOST)
      .get(`/v2/apps/${APP}/deployments/dep-1`)
      .reply(200, GARBLED, { 'content-type': 'text/html' })
      .get(`/v2/apps/${APP}/deployments/dep-1`)
      .reply(200, { deployment: deploymentBody() });
    const { client, delays } = setup();
    expect((await client.getDeployment(APP, 'dep-1')).id).toBe('dep-1');
    expect(delays).toHaveLength(1);
  });

  it('after the retries, says the answer could not be read, not that the API changed', async () => {
    nock(HOST).persist().get(`/v2/apps/${APP}`).reply(200, '{"app": {"id": "trunc');
    const { client, delays } = setup();
    const err = await failure(client.getApp(APP));
    nock.cleanAll();
    expect(delays).toHaveLength(3);
    expect(err.code).toBe('do_api_failed');
    expect(err.message).toBe(
      `DigitalOcean's answer could not be read (HTTP 200, not JSON) when trying to read app ${APP}`,
    );
    expect(`${err.message} ${err.hint}`).not.toMatch(/API change/);
  });

  it('a create is not re-sent, and its outcome is reported as unknown (it may have been applied)', async () => {
    let count = 0;
    nock(HOST)
      .post(`/v2/apps/${APP}/deployments`)
      .reply(() => {
        count += 1;
        return [201, GARBLED];
      });
    const err = await failure(setup().client.createDeployment(APP));
    expect(count).toBe(1);
    expect(isOutcomeUnknown(err)).toBe(true);
  });
});

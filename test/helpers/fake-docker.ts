/** The docker stand-in lives with the sandbox, which runs it too; tests import it from here. */
export { FAKE_DOCKER } from '../../src/sandbox/fake-docker.js';

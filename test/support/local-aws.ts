import { useLocalAws } from '../../local/aws-environment';
import { ResponseReceiver } from '../../local/cloudformation';
import { FakeSesServer } from '../../local/fake-ses-server';

/** The stand-ins of one test: where CloudFormation's answers arrive, and the fake AWS account. */
export interface LocalAws {
  readonly receiver: ResponseReceiver;
  readonly fake: FakeSesServer;
}

/**
 * What a file of tests over HTTP shares: one response receiver for the file
 * and, for each test, a fresh fake AWS account that the SDK's clients reach
 * as a Lambda in eu-west-1 would (useLocalAws). Registers jest's hooks; the
 * object it returns reads the current test's servers.
 *
 * @param extraEnv more of the function's environment, given the fake's endpoint
 */
export function localAwsForEachTest(extraEnv: (endpoint: string) => Record<string, string> = () => ({})): LocalAws {
  let receiver: ResponseReceiver | undefined;
  let fake: FakeSesServer | undefined;
  let restoreEnvironment: (() => void) | undefined;
  beforeAll(async () => {
    receiver = await ResponseReceiver.start();
  });
  afterAll(async () => {
    await receiver?.stop();
  });
  beforeEach(async () => {
    fake = await FakeSesServer.start();
    restoreEnvironment = useLocalAws(fake.endpoint, extraEnv(fake.endpoint));
  });
  afterEach(async () => {
    restoreEnvironment?.();
    await fake?.stop();
  });
  const started = <T>(server: T | undefined): T => {
    if (server === undefined) {
      throw new Error('The local AWS stand-ins run inside tests only.');
    }
    return server;
  };
  return {
    get receiver() {
      return started(receiver);
    },
    get fake() {
      return started(fake);
    },
  };
}

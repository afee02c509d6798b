/**
 * What the example apps share: where they are synthesized, the domain they
 * use, and the pretend account, region and hosted zone they deploy into.
 */
import { App, type Environment } from 'aws-cdk-lib';

export interface ExampleAppOptions {
  /** Where to write the cloud assembly. @default - a temporary directory */
  readonly outdir?: string;
  /** @default 'example.com' */
  readonly domain?: string;
  /** Context, as cdk.context.json gives it. @default - the CDK CLI's, or none */
  readonly context?: Record<string, unknown>;
}

export const EXAMPLE_ENV: Environment = { account: '123456789012', region: 'eu-west-1' };
export const EXAMPLE_HOSTED_ZONE_ID = 'Z0123456789EXAMPLE';

/** An app holding the stack `addStack` creates for the domain. */
export function exampleApp(options: ExampleAppOptions, addStack: (app: App, domain: string) => void): App {
  const app = new App({ outdir: options.outdir, context: options.context });
  addStack(app, options.domain ?? 'example.com');
  return app;
}

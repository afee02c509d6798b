import type { awscdk } from 'projen';

/**
 * The deploy rehearsal (issue 25): the pinned CDK CLI deploys the examples
 * into MiniStack, an AWS emulator this project did not write, on 127.0.0.1.
 * `npx projen rehearse`; CI runs it after `npm test` (.ci/run). It needs
 * Python 3 and PyPI besides Node; `npm test` stays Node only.
 */
export function addRehearsal(project: awscdk.AwsCdkConstructLibrary): void {
  // Route53's ListResourceRecordSets, to read back the records the stacks created.
  // Pinned at client-cloudformation's version, so the two share their @smithy packages.
  project.addDevDeps('@aws-sdk/client-route-53@3.1169.0');
  // EventBridge's DescribeRule and ListTargetsByRule, to run the monitor's function with what its rule holds.
  // Pinned at client-cloudwatch's version, for the same reason.
  project.addDevDeps('@aws-sdk/client-eventbridge@3.1178.0');
  project.gitignore.addPatterns('/rehearsal/.venv/', '/rehearsal/.out/');
  // Not what users run: out of the npm package (and of the packages jsii-pacmak makes from it).
  project.addPackageIgnore('/rehearsal/');
  project.tsconfigDev.addInclude('rehearsal/**/*.ts');
  project.eslint?.addLintPattern('rehearsal');
  // Like test/ and scripts/: the rehearsal runs on devDependencies.
  project.eslint?.allowDevDeps('**/rehearsal/**');

  const rehearse = project.addTask('rehearse', {
    description: 'Deploy the examples into MiniStack (pinned, in rehearsal/.venv) with the pinned CDK CLI, check what AWS would show, tear down (needs Python 3 and PyPI)',
    // Silences the SDK's notice that it will need Node 22, as scripts/demo.js does.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  // The stacks reference the handler bundles.
  rehearse.spawn(project.tasks.tryFind('bundle')!);
  rehearse.exec('bash rehearsal/install-ministack.sh');
  rehearse.exec('ts-node --project tsconfig.dev.json rehearsal/rehearse.ts', { receiveArgs: true });
}

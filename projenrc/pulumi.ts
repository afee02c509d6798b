import type { awscdk } from 'projen';

/**
 * The Pulumi test (pulumi/, issue 27): the README's Pulumi program converted
 * by @pulumi/cdk under Pulumi's mocks. Its packages live in pulumi/'s own
 * package.json and lock file, installed by this task alone, so that the
 * main `npm ci` never installs Pulumi. The program imports the library as an
 * app's node_modules holds it (scripts/package-folder.ts), beside
 * pulumi/'s own aws-cdk-lib, which @pulumi/cdk shares. tsx and TypeScript 7
 * are the repository's (`npm ci` first).
 */
export function addPulumiTest(project: awscdk.AwsCdkConstructLibrary): void {
  project.gitignore.exclude('/pulumi/node_modules/');
  project.addPackageIgnore('/pulumi/');
  // Its files compile against pulumi/node_modules, under pulumi/tsconfig.json.
  project.tsconfigDev.addExclude('pulumi');

  const task = project.addTask('test:pulumi', {
    description: 'Convert the README\'s Pulumi program with @pulumi/cdk under Pulumi\'s mocks (installs pulumi/ first)',
  });
  task.spawn(project.tasks.tryFind('bundle')!);
  // Without install scripts: Pulumi's download provider plugins, which the mocks do not need.
  task.exec('npm ci --prefix pulumi --ignore-scripts --no-audit --no-fund');
  task.exec('tsx scripts/package-folder.ts pulumi/node_modules/cdk-ses-identity-lookup');
  // The program as a user's TypeScript would check it (strict, node16), with the package's declarations.
  task.exec('node node_modules/typescript-7/bin/tsc -p pulumi');
  task.exec('node --import tsx --test program.test.ts', { cwd: 'pulumi' });
}

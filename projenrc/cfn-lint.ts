import type { awscdk } from 'projen';

/** AWS's CloudFormation linter, pinned: its rules change with its releases. */
const CFN_LINT = 'cfn-lint==1.58.0';

/**
 * cfn-lint over the templates the language checks synthesize
 * (languages/out: the example apps in TypeScript and Python, and each README
 * snippet in Python), in a virtual environment of its own. W3005 is
 * aws-cdk-lib's own: every `lambda.Function` has a DependsOn on its role
 * beside the role's Fn::GetAtt (CONTRIBUTING.md, "The package"). Any other
 * finding fails the task.
 */
export function addTemplateLint(project: awscdk.AwsCdkConstructLibrary): void {
  project.gitignore.addPatterns('/.venv-cfn-lint/');
  project.addPackageIgnore('/.venv-cfn-lint/');
  const lint = project.addTask('lint:templates', {
    description: 'cfn-lint (pinned, in .venv-cfn-lint) over the templates in languages/out; run after languages:python',
  });
  lint.exec(`test -x .venv-cfn-lint/bin/cfn-lint || (python3 -m venv .venv-cfn-lint && .venv-cfn-lint/bin/pip install --quiet ${CFN_LINT})`);
  lint.exec('bash scripts/lint-templates.sh');
}

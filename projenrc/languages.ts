import type { awscdk } from 'projen';

/**
 * The checks that the bindings work for their users (issue 26): each
 * language's port of the example apps synthesizes what the TypeScript app
 * does (languages/). Not part of `npx projen build`: each packages a binding
 * with jsii-pacmak and installs a CDK from its registry. `.ci/run` runs those
 * that fit CI's time (docs/languages.md).
 */
export function addLanguageChecks(project: awscdk.AwsCdkConstructLibrary): void {
  // Everything the checks install or write stays in the clone, and out of git.
  project.gitignore.addPatterns(
    '/languages/out/',
    '/languages/python/.venv/', '/languages/python/.pip-cache/', '__pycache__/',
    '/languages/java/.m2/', '/languages/java/target/',
    '/languages/go/.go/',
  );
  // ... and out of the npm package, which every binding embeds (jsii-pacmak runs npm pack on the clone).
  project.addPackageIgnore('/languages/');
  // ... and out of TypeScript's and jest's way (tsconfig.dev.json includes **/*.ts).
  for (const folder of ['languages/out', 'languages/python/.venv', 'languages/java/.m2', 'languages/go/.go']) project.tsconfigDev.addExclude(folder);
  // The checks' TypeScript (the reference synth, the comparison, the reserved words) is linted as the tests are.
  project.eslint?.addLintPattern('languages');
  project.eslint?.addIgnorePattern('languages/out/');

  const env = {
    // The jsii runtime's notice that Node 20 is past its end of life, once per process; CI runs Node 20.
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  };
  // What every language check builds first: the handler bundles the package
  // ships, the jsii compile with its reserved-word check, and the README's
  // translations (the tablet jsii-pacmak puts into each package's docs).
  const compile = project.addTask('languages:compile', {
    description: 'Bundle, compile with the reserved-word check (languages/reserved-words.ts), and translate the README (jsii-rosetta)',
    env,
  });
  compile.spawn(project.tasks.tryFind('bundle')!);
  compile.exec('ts-node --project tsconfig.dev.json languages/reserved-words.ts');
  compile.exec('jsii-rosetta extract --strict --compile');

  const python = project.addTask('languages:python', {
    description: 'Build the Python wheel, install it with the pinned aws-cdk-lib in languages/python/.venv, and hold the Python apps\' templates against the TypeScript apps\'',
    env,
  });
  python.spawn(compile);
  python.exec('jsii-pacmak -v --target python');
  python.exec('languages/python/check');

  const java = project.addTask('languages:java', {
    description: 'Package the Java binding, build the Java app with Maven (repository in languages/java/.m2), and hold its template against the TypeScript app\'s',
    env,
  });
  java.spawn(compile);
  java.exec('jsii-pacmak -v --target java --maven-local-repository languages/java/.m2/repository');
  java.exec('languages/java/check');

  // Go wants absolute paths; projen evaluates a value written as $(...) in the project's folder.
  const inGoCache = (folder: string) => `$(echo $PWD/languages/go/.go/${folder})`;
  const go = project.addTask('languages:go', {
    description: 'Generate the Go module, build the Go app (module cache in languages/go/.go), and hold its template against the TypeScript app\'s',
    env: {
      ...env,
      GOPATH: inGoCache('path'),
      GOMODCACHE: inGoCache('mod'),
      GOCACHE: inGoCache('build'),
      // A module cache that `rm -rf` can clean.
      GOFLAGS: '-modcacherw -buildvcs=false',
    },
  });
  go.spawn(compile);
  // Code only: jsii-pacmak's own build of the module resolves the peer floor's
  // graph, which the module proxy cannot serve whole (languages/go/go.mod says
  // what is missing); the app's build below compiles the generated code instead.
  go.exec('jsii-pacmak -v --target go --code-only');
  go.exec('languages/go/check');
}

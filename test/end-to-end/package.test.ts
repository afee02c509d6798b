/**
 * The npm package holds what users run and nothing else: the constructs
 * (lib/, without the handler sources), the handler bundles, .jsii (and its
 * rosetta tablet, after a build) and the docs; and every JavaScript file in
 * it loads only what the package depends on.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

const REPO = path.join(__dirname, '..', '..');

interface PackedFile { readonly path: string }

let files: string[];

beforeAll(() => {
  // `npm test` bundles but does not compile: on a fresh clone, emit lib/ as the
  // build would (jsii type-checks it there; here only the file set matters).
  if (!fs.existsSync(path.join(REPO, 'lib', 'index.js'))) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noCheck'], { cwd: REPO });
  }
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' })) as Array<{ files: PackedFile[] }>;
  files = pack.files.map((file) => file.path).sort();
}, 120_000);

test('ships only the constructs, their types, the handler bundles, .jsii and the docs', () => {
  const allowed = [
    /^(package\.json|README\.md|API\.md|LICENSE|\.jsii)$/,
    // The README examples translated by `jsii-rosetta extract` (the build's post-compile):
    // jsii-rosetta asks for it in the package, for packages that build on this one.
    /^\.jsii\.tabl\.json$/,
    /^assets\/handler\/[^/]+\.lambda\/index\.js$/,
    /^lib\/(?!handler\/).+\.(js|d\.ts)$/,
  ];
  expect(files.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
  // What users cannot do without.
  expect(files).toEqual(expect.arrayContaining([
    'package.json', 'README.md', 'API.md', 'LICENSE', 'lib/index.js', 'lib/index.d.ts',
    'assets/handler/lookup.lambda/index.js', 'assets/handler/gate.lambda/index.js', 'assets/handler/monitor.lambda/index.js',
  ]));
});

test('every shipped .js file requires only what the package depends on; the bundles only node builtins', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
  const builtin = (name: string) => builtinModules.includes(name.replace(/^node:/, ''));
  const packageOf = (name: string) => name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');
  const unexpected: string[] = [];
  for (const file of files.filter((name) => name.endsWith('.js'))) {
    const required = requiredModules(fs.readFileSync(path.join(REPO, file), 'utf8'));
    // Bundles run on Lambda by themselves; the constructs run in the user's app, next to aws-cdk-lib and constructs.
    const ok = file.startsWith('assets/')
      ? builtin
      : (name: string) => builtin(name) || name.startsWith('.') || dependencies.includes(packageOf(name));
    unexpected.push(...required.filter((name) => !ok(name)).map((name) => `${file}: ${name}`));
  }
  expect(unexpected).toEqual([]);
});

/** The names passed to require() and import() in JavaScript source; mentions inside strings (SDK error messages) are not calls. */
function requiredModules(source: string): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword
      || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [argument] = node.arguments;
      // A name computed at run time cannot be checked: it fails the test.
      names.push(argument && ts.isStringLiteralLike(argument) ? argument.text : `<computed: ${source.slice(node.pos, node.end).trim().slice(0, 60)}>`);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('shipped.js', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
  return names;
}

/**
 * The library as an app's node_modules holds it after `npm install`: a
 * package folder with the repository's package.json, lib/ (JavaScript and
 * declarations) and the handler bundles in assets/, but not lib/handler/,
 * which the npm package leaves out. A fresh clone has no jsii-compiled lib/
 * (only the build makes it), so lib/ is emitted from src/ by TypeScript 7
 * without a type check (1.5 s of CPU where TypeScript 5/6 takes 7 s: the
 * library's own type check is the build's job; tsc's declarations are what
 * jsii writes too).
 *
 * Used by test/user-app.test.ts and, from the command line, by the Pulumi
 * test (projenrc/pulumi.ts): `tsx scripts/package-folder.ts <folder>`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..');

/** Writes the package into `folder` (such as `<app>/node_modules/cdk-ses-identity-lookup`), replacing what is there. */
export function writePackageFolder(folder: string): void {
  for (const bundle of ['lookup', 'gate']) {
    if (!fs.existsSync(path.join(REPO, 'assets', 'handler', `${bundle}.lambda`, 'index.js'))) {
      throw new Error(`assets/handler/${bundle}.lambda/index.js is missing: run npx projen bundle first (npm test does).`);
    }
  }
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(folder, 'package.json'));
  fs.cpSync(path.join(REPO, 'assets'), path.join(folder, 'assets'), { recursive: true });
  const tsc = path.join(REPO, 'node_modules', 'typescript-7', 'bin', 'tsc');
  const emit = spawnSync(process.execPath, [tsc, '-p', path.join(REPO, 'tsconfig.json'), '--noCheck', '--outDir', path.join(folder, 'lib')], { encoding: 'utf8' });
  if (emit.status !== 0) {
    throw new Error(`emitting lib/ failed:\n${emit.stdout}${emit.stderr}`);
  }
  fs.rmSync(path.join(folder, 'lib', 'handler'), { recursive: true });
}

if (require.main === module) {
  const [folder] = process.argv.slice(2);
  if (!folder) {
    console.error('usage: tsx scripts/package-folder.ts <folder>');
    process.exit(2);
  }
  writePackageFolder(path.resolve(folder));
}

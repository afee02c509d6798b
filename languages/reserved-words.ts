/**
 * The jsii compile, with the check the build's compile leaves out: the build
 * silences jsii's reserved-word warnings (projen's default,
 * `--silence-warnings=reserved-word`), so this runs jsii without that flag
 * and fails on every reserved word that is not proven harmless below.
 *
 *   ts-node languages/reserved-words.ts
 */
import { spawnSync } from 'child_process';

/**
 * Names jsii warns about that no user trips on, each with the language that
 * reserves it and what a user of that language writes.
 */
const HARMLESS: Record<string, { language: string; why: string }> = {
  type: {
    language: 'Go',
    why: 'DnsRecord.type: Go exports struct fields capitalized, so a Go user writes record.Type, which is no keyword (as aws-cdk-lib\'s own CfnRecordSetProps.Type)',
  },
};

const compile = spawnSync('npx', ['jsii'], { encoding: 'utf8' });
process.stdout.write(compile.stdout);
process.stderr.write(compile.stderr);
if (compile.status !== 0) process.exit(compile.status ?? 1);

// src/x.ts:17:12 - warning JSII5018: "type" is a reserved word in Go. ...
const WARNING = /^(\S+:\d+:\d+) - warning JSII5018: "([^"]+)" is a reserved word in ([^.]+)\./;
const warned = (compile.stdout + compile.stderr).replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  .map((line) => WARNING.exec(line)).filter((match) => match !== null)
  .map(([, where, name, languages]) => ({ where, name, languages }));

const tripping = warned.filter(({ name, languages }) => HARMLESS[name]?.language !== languages);
for (const { where, name, languages } of tripping) {
  console.error(`${where}: "${name}" is a reserved word in ${languages}: rename it, or, if a user of ${languages} cannot trip on it, add it to HARMLESS in languages/reserved-words.ts with what that user writes.`);
}
const stale = Object.keys(HARMLESS).filter((name) => !warned.some((warning) => warning.name === name));
for (const name of stale) {
  console.error(`languages/reserved-words.ts: HARMLESS lists "${name}", which jsii no longer warns about: remove it.`);
}
for (const { where, name, languages } of warned.filter((warning) => !tripping.includes(warning))) {
  console.log(`${where}: "${name}" (reserved in ${languages}) is harmless: ${HARMLESS[name].why}.`);
}
process.exit(tripping.length || stale.length ? 1 : 0);

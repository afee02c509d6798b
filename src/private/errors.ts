/**
 * The one way the constructs refuse input at synth time, so that every
 * refusal reads the same: the construct's path, the problem, and the fix.
 *
 * It throws, rather than adding an error annotation: an annotation lets the
 * constructor go on with a value it cannot use, and a programmatic
 * `app.synth()` (a unit test, a jsii language's app) would not fail at all.
 * Node prints the source line of the `throw` above the message of an error
 * that stops an app run by node or ts-node, so that line tells the reader
 * what they are looking at (under tsx, cdk init's runner today, Node prints
 * a line of its own there); and the stack starts in the user's own code, not
 * in this library, however the app is run.
 */
import * as path from 'node:path';
import type { IConstruct } from 'constructs';

/** Refuses the input of `scope`, saying what is wrong and how to fix it. */
export function fail(scope: IConstruct, problem: string): never {
  const error = new Error(`${scope.node.path}: ${problem}`);
  error.stack = withoutLibraryFrames(error.stack ?? '');
  throw error; // Not a crash: cdk-ses-identity-lookup refuses the app's input. The message below names the construct and what to change.
}

/**
 * Refuses a construct whose required props are missing, naming each: jsii's
 * languages check them before the constructor runs, plain JavaScript does not.
 *
 * @param required each required prop, with what it is, for the message
 */
export function requireProps<T extends object>(
  scope: IConstruct,
  construct: string,
  props: T | undefined,
  required: { readonly [K in keyof T]?: string },
): T {
  const missing = Object.keys(required).filter((name) => (props as Record<string, unknown> | undefined)?.[name] === undefined);
  if (missing.length > 0) {
    const each = missing.map((name) => `${name} (${required[name as keyof T]})`);
    fail(scope, `${construct} needs ${each.join(' and ')}: ${missing.length === 1 ? 'it is' : 'they are'} missing from its props.`);
  }
  return props!;
}

/**
 * This library's code: `lib/` as installed, and `src/`, where frames point
 * through the source maps the package ships (tsx, `--enable-source-maps`).
 */
const PACKAGE_DIR = path.resolve(__dirname, '..', '..');
const LIBRARY_DIRS = ['lib', 'src'].map((dir) => path.join(PACKAGE_DIR, dir) + path.sep);

/** The stack from the first frame outside this library: where the user's app made the construct. */
function withoutLibraryFrames(stack: string): string {
  const [message, ...frames] = stack.split('\n    at ');
  const outside = frames.filter((frame) => !LIBRARY_DIRS.some((dir) => frame.includes(dir)));
  return [message, ...(outside.length > 0 ? outside : frames)].join('\n    at ');
}

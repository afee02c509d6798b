/**
 * Compares two cloud assemblies stack by stack, resource by resource and
 * property by property, modulo CDK metadata and asset hashes, and prints the
 * first difference (exit 1) or what matched (exit 0).
 *
 *   ts-node languages/compare.ts REFERENCE_DIR CANDIDATE_DIR [STACK...]
 *
 * REFERENCE_DIR is the TypeScript app's assembly, CANDIDATE_DIR another
 * language's; STACKs, when given, are the stacks both must hold.
 */
import * as fs from 'fs';
import * as path from 'path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { [section: string]: { [id: string]: Json } };

/** CDK's own bookkeeping: construct paths, asset locations, the analytics resource and its condition. */
const CDK_METADATA_KEY = /^aws:(cdk|asset):/;
const CDK_METADATA_RESOURCE = 'AWS::CDK::Metadata';
const CDK_METADATA_CONDITION = 'CDKMetadataAvailable';
/** An asset's content hash (64 hex digits), wherever a template names it: S3 keys, asset paths. */
const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

function stackTemplates(assemblyDir: string): Map<string, Template> {
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${assemblyDir} is no cloud assembly: it has no manifest.json. Synthesize the app into it first.`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const templates = new Map<string, Template>();
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const file = path.join(assemblyDir, artifact.properties.templateFile);
    templates.set(id, normalize(JSON.parse(fs.readFileSync(file, 'utf8'))));
  }
  return templates;
}

function normalize(template: Template): Template {
  const result: Template = JSON.parse(JSON.stringify(template).replace(ASSET_HASH, '<asset hash>'));
  for (const [id, resource] of Object.entries(result.Resources ?? {}) as Array<[string, any]>) {
    if (resource.Type === CDK_METADATA_RESOURCE) {
      delete result.Resources[id];
      continue;
    }
    if (resource.Metadata) {
      for (const key of Object.keys(resource.Metadata)) if (CDK_METADATA_KEY.test(key)) delete resource.Metadata[key];
      if (Object.keys(resource.Metadata).length === 0) delete resource.Metadata;
    }
  }
  if (result.Conditions) delete result.Conditions[CDK_METADATA_CONDITION];
  for (const section of Object.keys(result)) {
    if (typeof result[section] === 'object' && result[section] !== null && Object.keys(result[section]).length === 0) delete result[section];
  }
  return result;
}

/** The first place where the two values differ, as a path and both sides; undefined when they are equal. */
function firstDifference(reference: Json | undefined, candidate: Json | undefined, at: string): string | undefined {
  const show = (value: Json | undefined) => (value === undefined ? '(absent)' : JSON.stringify(value));
  if (Array.isArray(reference) && Array.isArray(candidate)) {
    for (let i = 0; i < Math.max(reference.length, candidate.length); i++) {
      const difference = firstDifference(reference[i], candidate[i], `${at}/${i}`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (isObject(reference) && isObject(candidate)) {
    for (const key of [...new Set([...Object.keys(reference), ...Object.keys(candidate)])].sort()) {
      const difference = firstDifference(reference[key], candidate[key], `${at}/${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (JSON.stringify(reference) === JSON.stringify(candidate)) return undefined;
  return `${at}\n  TypeScript: ${show(reference)}\n  other:      ${show(candidate)}`;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Counts the leaves compared, to say how much matched. */
function leafCount(value: Json): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + leafCount(item), 0);
  if (isObject(value)) return Object.values(value).reduce<number>((sum, item) => sum + leafCount(item), 0);
  return 1;
}

function compareAssemblies(referenceDir: string, candidateDir: string, expectedStacks: string[]): string | undefined {
  const reference = stackTemplates(referenceDir);
  const candidate = stackTemplates(candidateDir);
  const stacks = [...new Set([...reference.keys(), ...candidate.keys(), ...expectedStacks])].sort();
  for (const stack of stacks) {
    if (!reference.has(stack) || !candidate.has(stack)) {
      return `stack ${stack}: in ${reference.has(stack) ? 'TypeScript' : 'neither'}'s assembly${candidate.has(stack) ? ' and the other' : ''} only (TypeScript: ${[...reference.keys()].join(', ') || 'none'}; other: ${[...candidate.keys()].join(', ') || 'none'})`;
    }
    const ours = reference.get(stack)!;
    const theirs = candidate.get(stack)!;
    // Resource ids first, so that a missing or renamed resource is named as such rather than as a property.
    const ourIds = Object.keys(ours.Resources ?? {});
    const theirIds = Object.keys(theirs.Resources ?? {});
    const onlyOurs = ourIds.filter((id) => !theirIds.includes(id));
    const onlyTheirs = theirIds.filter((id) => !ourIds.includes(id));
    if (onlyOurs.length || onlyTheirs.length) {
      return `stack ${stack}: resources differ. Only in TypeScript's: ${onlyOurs.join(', ') || 'none'}; only in the other's: ${onlyTheirs.join(', ') || 'none'}`;
    }
    for (const id of ourIds.sort()) {
      const difference = firstDifference(ours.Resources[id], theirs.Resources[id], `${stack}/Resources/${id}`);
      if (difference) return difference;
    }
    const difference = firstDifference(ours as unknown as Json, theirs as unknown as Json, stack);
    if (difference) return difference;
    const resources = ourIds.length;
    console.log(`${stack}: equal, ${resources} resources, ${leafCount(ours as unknown as Json)} values`);
  }
  return undefined;
}

function main(args: string[]): number {
  const [referenceDir, candidateDir, ...stacks] = args;
  if (!referenceDir || !candidateDir) {
    console.error('usage: compare.ts REFERENCE_DIR CANDIDATE_DIR [STACK...]');
    return 2;
  }
  const difference = compareAssemblies(referenceDir, candidateDir, stacks);
  if (difference) {
    console.error(`templates differ (${referenceDir} vs ${candidateDir}), first difference at ${difference}`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));

/**
 * Stands in for the CDK CLI inside @pulumi/cdk, which cannot read the cloud
 * assemblies that the library's aws-cdk-lib (2.257 and later) writes. The
 * conversion that follows, the part under test, is @pulumi/cdk's own.
 *
 * @pulumi/cdk 1.10.0, the newest version the package registry here serves,
 * runs the app through the CDK CLI bundled in @aws-cdk/cli-lib-alpha
 * 2.1013, which refuses any assembly newer than schema 43:
 *
 *   Cloud assembly schema version mismatch: Maximum schema version supported
 *   is 43.x.x, but found 55.0.0. You need at least CLI version 2.1149.0 to
 *   read this manifest.
 *
 * Here the CLI's synth is what it does for @pulumi/cdk with lookups off: it
 * runs the app (the producer) with the context the CLI adds (prepareContext
 * in cli-lib-alpha). And since aws-cdk-lib writes each stack's metadata to a
 * file of its own (`additionalMetadataFile`), where @pulumi/cdk only reads
 * the manifest's `metadata` (src/assembly/manifest.ts, at 1.10.0 and at its
 * newest source), the metadata is put back into the manifest, as older
 * aws-cdk-lib wrote it. Without that @pulumi/cdk finds no resource:
 *
 *   Could not find stack address for path MailStack/Identity/Resource
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cli from '@aws-cdk/cli-lib-alpha';

/** What the CDK CLI adds to the app's context by default. */
const CLI_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
};

interface Artifact {
  metadata?: Record<string, unknown[]>;
  additionalMetadataFile?: string;
}

/** Each artifact's metadata file, merged into the manifest's `metadata`. */
function inlineMetadata(assemblyDir: string): void {
  const file = path.join(assemblyDir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { artifacts?: Record<string, Artifact> };
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.additionalMetadataFile) {
      const extra = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.additionalMetadataFile), 'utf8')) as Record<string, unknown[]>;
      artifact.metadata = { ...artifact.metadata, ...extra };
      delete artifact.additionalMetadataFile;
    }
  }
  fs.writeFileSync(file, JSON.stringify(manifest));
}

cli.AwsCdkCli.fromCloudAssemblyDirectoryProducer = (producer: cli.ICloudAssemblyDirectoryProducer) => ({
  synth: async () => {
    inlineMetadata(await producer.produce({ ...CLI_CONTEXT }));
  },
}) as unknown as cli.AwsCdkCli;

#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib/core';
import { MailStack } from '../lib/mail-stack';

const app = new cdk.App();
new MailStack(app, 'MailStack', {
  // A domain verified in SES, or being verified, whose hosted zone is in Route 53.
  domain: 'example.com',
  // The hosted zone lookup needs an account and region: those of your AWS CLI profile.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});

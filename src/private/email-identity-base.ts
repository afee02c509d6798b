import { Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as ses from 'aws-cdk-lib/aws-ses';

/**
 * What this library's identities do alike: the reference aws-cdk-lib's
 * constructs take, and grants scoped to the identity's ARN. A hidden base
 * class: jsii copies its members into each subclass.
 *
 * @internal
 */
export abstract class EmailIdentityBase extends Resource implements ses.IEmailIdentity {
  /**
   * The identity's name.
   * @attribute
   */
  public abstract readonly emailIdentityName: string;
  /**
   * The identity's ARN, in its account and region.
   * @attribute
   */
  public abstract readonly emailIdentityArn: string;
  /**
   * The ARNs as IAM must read them: each spelling of the name (a mixed-case
   * domain also in lower case), with `$`, `*` and `?` escaped, which IAM
   * takes for variables and wildcards (see `provider/identity-arn.ts`).
   */
  protected abstract readonly iamArns: string[];

  /** A reference to the identity, for constructs that take an `IEmailIdentityRef`. */
  public get emailIdentityRef(): ses.EmailIdentityReference {
    return { emailIdentity: this.emailIdentityName };
  }

  /**
   * Adds an IAM policy statement for this identity to a principal's policy.
   *
   * @param grantee the principal
   * @param actions the SES actions to allow, such as `ses:SendEmail`
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: this.iamArns });
  }

  /**
   * Lets a principal send email from this identity (`ses:SendEmail` and `ses:SendRawEmail`).
   *
   * @param grantee the principal
   */
  public grantSendEmail(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'ses:SendEmail', 'ses:SendRawEmail');
  }
}

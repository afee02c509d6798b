package example;

import io.github.example.cdk.ses.identity.lookup.DmarcPolicy;
import io.github.example.cdk.ses.identity.lookup.EmailIdentityDnsRecords;
import io.github.example.cdk.ses.identity.lookup.EmailIdentityLookup;
import io.github.example.cdk.ses.identity.lookup.EmailIdentityVerificationGate;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cognito.UserPool;
import software.amazon.awscdk.services.cognito.UserPoolEmail;
import software.amazon.awscdk.services.cognito.UserPoolSESOptions;
import software.amazon.awscdk.services.route53.HostedZone;
import software.amazon.awscdk.services.route53.HostedZoneAttributes;
import software.amazon.awscdk.services.route53.IHostedZone;
import software.constructs.Construct;

/**
 * examples/verified-sender-app.ts, as a Java user writes it: an SES domain made
 * outside the stack, its DNS records published from a lookup, and a Cognito
 * user pool that is not deployed before SES has verified the domain.
 */
public final class VerifiedSenderApp {
    /** examples/example-app.ts: the pretend account, region and hosted zone. */
    static final Environment EXAMPLE_ENV = Environment.builder().account("123456789012").region("eu-west-1").build();
    static final String EXAMPLE_HOSTED_ZONE_ID = "Z0123456789EXAMPLE";

    static final class VerifiedSenderStack extends Stack {
        VerifiedSenderStack(final Construct scope, final String id, final String domain, final String hostedZoneId, final StackProps props) {
            super(scope, id, props);

            EmailIdentityLookup identity = EmailIdentityLookup.Builder.create(this, "Identity").emailIdentity(domain).build();

            IHostedZone zone = HostedZone.fromHostedZoneAttributes(this, "Zone",
                HostedZoneAttributes.builder().hostedZoneId(hostedZoneId).zoneName(domain).build());
            EmailIdentityDnsRecords records = EmailIdentityDnsRecords.Builder.create(this, "Records")
                .identity(identity)
                .hostedZone(zone)
                .mailFrom(true)
                .dmarcPolicy(DmarcPolicy.NONE)
                .build();

            // Waits, at most 45 minutes, for SES to see the records and verify the domain.
            EmailIdentityVerificationGate verified = EmailIdentityVerificationGate.Builder.create(this, "Verified")
                .identity(identity)
                .timeout(Duration.minutes(45))
                .build();

            UserPool users = UserPool.Builder.create(this, "Users")
                .email(UserPoolEmail.withSES(UserPoolSESOptions.builder()
                    .fromEmail("noreply@" + domain)
                    .sesVerifiedDomain(domain)
                    .sesRegion(this.getRegion())
                    .build()))
                .build();
            users.getNode().addDependency(verified);

            CfnOutput.Builder.create(this, "DnsRecords").value(records.toZoneFile()).build();
        }
    }

    public static void main(final String[] args) {
        App app = new App(AppProps.builder().outdir(args[0]).build());
        new VerifiedSenderStack(app, "VerifiedSender", "example.com", EXAMPLE_HOSTED_ZONE_ID, StackProps.builder().env(EXAMPLE_ENV).build());
        app.synth();
    }
}

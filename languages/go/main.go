// examples/verified-sender-app.ts, as a Go user writes it: an SES domain made
// outside the stack, its DNS records published from a lookup, and a Cognito
// user pool that is not deployed before SES has verified the domain.
//
// Run: go run . OUTDIR
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	lookup "github.com/example/cdk-ses-identity-lookup-go/cdksesidentitylookup"
)

// examples/example-app.ts: the pretend account, region and hosted zone.
var exampleEnv = &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")}

const exampleHostedZoneID = "Z0123456789EXAMPLE"

func newVerifiedSenderStack(scope constructs.Construct, id string, domain string, hostedZoneID string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(id), props)

	identity := lookup.NewEmailIdentityLookup(stack, jsii.String("Identity"), &lookup.EmailIdentityLookupProps{
		EmailIdentity: jsii.String(domain),
	})

	zone := awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(hostedZoneID),
		ZoneName:     jsii.String(domain),
	})
	records := lookup.NewEmailIdentityDnsRecords(stack, jsii.String("Records"), &lookup.EmailIdentityDnsRecordsProps{
		Identity:    identity,
		HostedZone:  zone,
		MailFrom:    jsii.Bool(true),
		DmarcPolicy: lookup.DmarcPolicy_NONE,
	})

	// Waits, at most 45 minutes, for SES to see the records and verify the domain.
	verified := lookup.NewEmailIdentityVerificationGate(stack, jsii.String("Verified"), &lookup.EmailIdentityVerificationGateProps{
		Identity: identity,
		Timeout:  awscdk.Duration_Minutes(jsii.Number(45)),
	})

	users := awscognito.NewUserPool(stack, jsii.String("Users"), &awscognito.UserPoolProps{
		Email: awscognito.UserPoolEmail_WithSES(&awscognito.UserPoolSESOptions{
			FromEmail:         jsii.String("noreply@" + domain),
			SesVerifiedDomain: jsii.String(domain),
			SesRegion:         stack.Region(),
		}),
	})
	users.Node().AddDependency(verified)

	awscdk.NewCfnOutput(stack, jsii.String("DnsRecords"), &awscdk.CfnOutputProps{Value: records.ToZoneFile()})
	return stack
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(os.Args[1])})
	newVerifiedSenderStack(app, "VerifiedSender", "example.com", exampleHostedZoneID, &awscdk.StackProps{Env: exampleEnv})
	app.Synth(nil)
}

module example.com/verified-sender-app

go 1.26

require (
	// The newest aws-cdk-go on the module proxy (v2.277.0; npm's newest, 2.278.0, is not there).
	github.com/aws/aws-cdk-go/awscdk/v2 v2.277.0
	// The newest constructs and jsii runtime on the module proxy.
	github.com/aws/constructs-go/constructs/v10 v10.8.1
	github.com/aws/jsii-runtime-go v1.143.0
	github.com/example/cdk-ses-identity-lookup-go/cdksesidentitylookup v0.0.0
)

// The library as jsii-pacmak generated it.
replace github.com/example/cdk-ses-identity-lookup-go/cdksesidentitylookup => ../../dist/go/cdksesidentitylookup

module example.com/verified-sender-app

go 1.26.0

require (
	// The newest aws-cdk-go on the module proxy (v2.277.0; npm's newest, 2.278.0, is not there).
	github.com/aws/aws-cdk-go/awscdk/v2 v2.277.0
	// The newest constructs and jsii runtime on the module proxy.
	github.com/aws/constructs-go/constructs/v10 v10.8.1
	github.com/aws/jsii-runtime-go v1.143.0
	github.com/example/cdk-ses-identity-lookup-go/cdksesidentitylookup v0.0.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.292 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.3 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v55 v55.6.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/telemetry v0.0.0-20261009151841-97e8ea77aa2a // indirect
	golang.org/x/tools v0.52.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

// The library as jsii-pacmak generated it.
replace github.com/example/cdk-ses-identity-lookup-go/cdksesidentitylookup => ../../dist/go/cdksesidentitylookup

// The generated module asks for aws-cdk-go's peer floor, v2.257.0, whose
// go.mod names cloud-assembly-schema v53.28.0, a version the module proxy
// this project reaches does not serve (403). v2.277.0 is the one selected and
// built, so v53.28.0 only stands in the module graph: its go.mod is read from
// the one v53 version served.
replace github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 v53.28.0 => github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v53 v53.25.0

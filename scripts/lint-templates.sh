#!/usr/bin/env bash
# cfn-lint over the templates in languages/out (npx projen lint:templates; see projenrc/cfn-lint.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t templates < <(find languages/out -name '*.template.json' 2>/dev/null | sort)
if [ "${#templates[@]}" -eq 0 ]; then
  echo 'lint:templates: no templates in languages/out; run npx projen languages:python first' >&2
  exit 1
fi
echo "cfn-lint $(.venv-cfn-lint/bin/cfn-lint --version | awk '{print $2}') over ${#templates[@]} templates, W3005 (aws-cdk-lib's own) ignored"
.venv-cfn-lint/bin/cfn-lint --ignore-checks W3005 -- "${templates[@]}"
echo 'cfn-lint: no findings'

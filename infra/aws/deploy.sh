#!/usr/bin/env bash
# Deploys one AWS stage in the only safe order:
#   1. migrate the registry database (forward-only; new function code may need the new schema),
#   2. deploy the functions (npx osls deploy),
#   3. deploy the stage's CloudWatch alarms (infra/aws/alarms.yml, stack ingest-<stage>-alarms),
#   4. deploy the bridge (build and push its image if this tag is new, then its stack).
#
#   infra/aws/deploy.sh <stage>
#
# Needs the stage's database stack (ingest-<stage>-database), the SecureString
# /ingest/<stage>/database-url and, for the bridge, the ingest-bridge-repository stack
# (docs/deploy.md). Environment:
#   AWS_REGION          region (default us-east-1); credentials as the AWS CLI finds them
#   BRIDGE_IMAGE_TAG    bridge image tag (default: the current commit; needs a clean tree)
#   BRIDGE_PLATFORM     docker --platform for a new image (default linux/amd64, matching the
#                       bridge stack's CpuArchitecture default X86_64)
#   BRIDGE_PARAMETERS   more Key=Value overrides for the bridge stack, e.g.
#                       "NatsUrl=tls://nats.internal:4222 NatsCredsSecretArn=arn:... DesiredCount=3";
#                       required on the first deploy, kept from the previous one afterwards
#   BRIDGE_DEPLOYMENT   which bridge deployment (default "bridge", the stage's first; it owns the
#                       ECS cluster, so deploy it first). Another one, e.g. BRIDGE_DEPLOYMENT=alerts
#                       with BRIDGE_PARAMETERS="ConsumerName=ingest-alerts ConsumerFilter=alerts.> ...",
#                       gets its own stack ingest-<stage>-alerts, consumer and subjects
#   ALARM_PARAMETERS    Key=Value overrides for the alarms stack, e.g.
#                       "AlarmTopicArn=arn:aws:sns:... ErrorsThreshold=10 ConsumerPendingThreshold=50000";
#                       kept from the previous deploy when not given again
#   MIGRATE_VIA         host:port of a tunnel to the database (e.g. an SSM port forward), when this
#                       machine cannot reach the database endpoint itself
#   SKIP_BRIDGE=1       stop after the functions
# Secrets are passed through the environment only; nothing here prints them. No `set -x`.
set -euo pipefail

stage="${1:-}"
if [[ ! "$stage" =~ ^[a-z0-9-]{1,16}$ ]]; then
  echo "usage: infra/aws/deploy.sh <stage>   (stage: 1-16 of [a-z0-9-])" >&2
  exit 2
fi
case "$stage" in
  dev | ci | test)
    echo "\"$stage\" is a local stage (serverless.yml params: no VPC, DATABASE_URL from the shell); deploy a real stage such as prod" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/../.."
region="${AWS_REGION:-us-east-1}"
export AWS_REGION="$region" AWS_DEFAULT_REGION="$region"

say() { printf '==> %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "missing: $1 ($2)" >&2; exit 1; }; }
need aws "the AWS CLI"
need node "Node.js >= 20.19"
need npx "npm"

if ! aws cloudformation describe-stacks --stack-name "ingest-$stage-database" >/dev/null 2>&1; then
  echo "stack ingest-$stage-database not found in $region: deploy infra/aws/database.yml first (docs/deploy.md)" >&2
  exit 1
fi

say "reading DATABASE_URL from SSM /ingest/$stage/database-url"
if ! database_url="$(aws ssm get-parameter --name "/ingest/$stage/database-url" --with-decryption \
  --query Parameter.Value --output text)"; then
  echo "cannot read SSM parameter /ingest/$stage/database-url (create it as a SecureString; docs/deploy.md)" >&2
  exit 1
fi

migrate_url="$database_url"
if [[ -n "${MIGRATE_VIA:-}" ]]; then
  # Same credentials and database, another host:port; node parses the URL so nothing is echoed.
  migrate_url="$(DATABASE_URL="$database_url" MIGRATE_VIA="$MIGRATE_VIA" node -e '
    const url = new URL(process.env.DATABASE_URL);
    const [host, port] = process.env.MIGRATE_VIA.split(":");
    url.hostname = host;
    if (port) url.port = port;
    process.stdout.write(url.toString());')"
fi

say "1/4 migrating the registry database"
DATABASE_URL="$migrate_url" npx ingest migrate
unset migrate_url

say "2/4 deploying the functions (osls, stage $stage)"
npx osls deploy --stage "$stage" --region "$region"
unset database_url

say "3/4 deploying the alarms stack ingest-$stage-alarms"
# shellcheck disable=SC2086 # ALARM_PARAMETERS is a list of Key=Value words
aws cloudformation deploy \
  --stack-name "ingest-$stage-alarms" \
  --template-file infra/aws/alarms.yml \
  --no-fail-on-empty-changeset \
  --parameter-overrides "Stage=$stage" ${ALARM_PARAMETERS:-}

if [[ "${SKIP_BRIDGE:-}" == "1" ]]; then
  say "SKIP_BRIDGE=1: bridge left as it is"
  exit 0
fi

repository=ingest-bridge
tag="${BRIDGE_IMAGE_TAG:-}"
if [[ -z "$tag" ]]; then
  # Tags are immutable in ECR, so a commit tag must mean exactly that commit.
  if [[ -n "$(git status --porcelain)" ]]; then
    echo "the working tree has changes: commit them, or set BRIDGE_IMAGE_TAG" >&2
    exit 1
  fi
  tag="$(git rev-parse --short=12 HEAD)"
fi

if aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  say "4/4 bridge image $repository:$tag already pushed"
else
  need docker "to build the bridge image"
  account="$(aws sts get-caller-identity --query Account --output text)"
  registry="$account.dkr.ecr.$region.amazonaws.com"
  say "4/4 building and pushing $registry/$repository:$tag"
  docker build -f infra/aws/Dockerfile --platform "${BRIDGE_PLATFORM:-linux/amd64}" -t "$registry/$repository:$tag" .
  aws ecr get-login-password | docker login --username AWS --password-stdin "$registry"
  docker push "$registry/$repository:$tag"
fi

deployment="${BRIDGE_DEPLOYMENT:-bridge}"
say "4/4 deploying the bridge stack ingest-$stage-$deployment (image $tag)"
# shellcheck disable=SC2086 # BRIDGE_PARAMETERS is a list of Key=Value words
aws cloudformation deploy \
  --stack-name "ingest-$stage-$deployment" \
  --template-file infra/aws/bridge.yml \
  --capabilities CAPABILITY_IAM \
  --no-fail-on-empty-changeset \
  --parameter-overrides "Stage=$stage" "Deployment=$deployment" "ImageRepository=$repository" "ImageTag=$tag" ${BRIDGE_PARAMETERS:-}

say "done: stage $stage"

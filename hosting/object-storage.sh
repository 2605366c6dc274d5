#!/usr/bin/env bash
# Publishes one council's site to Amazon S3 with the content types, caching and CORS the
# site needs. Object stores cannot rewrite: Open Referral clients read the feed by its file
# names (oruk/index.json, oruk/services/index.json, oruk/services/<id>.json).
#   hosting/object-storage.sh output/westmoor s3://westmoor-care
set -euo pipefail
site="${1:?the council's output folder, such as output/westmoor}"
bucket="${2:?the bucket, such as s3://westmoor-care}"
# Hashed assets never change: cache them for a year.
aws s3 sync "$site/assets" "$bucket/assets" --delete \
  --cache-control "public, max-age=31536000, immutable"
aws s3 cp "$site/assets" "$bucket/assets" --recursive --exclude '*' --include '*.wasm' \
  --content-type application/wasm --cache-control "public, max-age=31536000, immutable" \
  --metadata-directive REPLACE
# Pages and feeds are revalidated on every visit.
aws s3 sync "$site" "$bucket" --delete --exclude 'assets/*' --cache-control no-cache
aws s3 cp "$site/feed.xml" "$bucket/feed.xml" --content-type "application/atom+xml; charset=utf-8" \
  --cache-control no-cache --metadata-directive REPLACE
aws s3 cp "$site/oruk" "$bucket/oruk" --recursive --content-type "application/json; charset=utf-8" \
  --cache-control no-cache --metadata-directive REPLACE
if [ -f "$site/opensearch.xml" ]; then
  aws s3 cp "$site/opensearch.xml" "$bucket/opensearch.xml" \
    --content-type application/opensearchdescription+xml --cache-control no-cache --metadata-directive REPLACE
fi
# The feed is read by scripts on other sites.
aws s3api put-bucket-cors --bucket "${bucket#s3://}" --cors-configuration \
  '{"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]}]}'

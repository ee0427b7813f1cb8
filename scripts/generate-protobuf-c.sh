#!/usr/bin/env bash
# Regenerates the protobuf-c reference codec (Sources/CXTCPRecord) from the
# project's schema. The output is committed; run this after editing the .proto,
# then `swift run xtcp-codegen` for the Swift fast encoder.
# Needs Debian's protobuf-c-compiler (protoc-c).
set -euo pipefail
cd "$(dirname "$0")/.."
proto_dir=proto/xtcp_flat_record/v1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
protoc-c --c_out="$out" -I "$proto_dir" "$proto_dir/xtcp_flat_record.proto"
cp "$out/xtcp_flat_record.pb-c.h" Sources/CXTCPRecord/include/
cp "$out/xtcp_flat_record.pb-c.c" Sources/CXTCPRecord/
echo "regenerated Sources/CXTCPRecord from $proto_dir/xtcp_flat_record.proto"

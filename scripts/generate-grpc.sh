#!/usr/bin/env bash
# Regenerates the gRPC API's Swift code (Sources/ControlAPI/Generated) from
# the project's .proto files, and the descriptor set committed beside it
# (what server reflection serves, and what the suite compares with protoc's
# reading of the .proto files to catch code that no longer matches them).
#
# Builds swift-protobuf's protoc-gen-swift and grpc-swift-protobuf's
# protoc-gen-grpc-swift-2 from the package mirror into .build-protoc-plugins
# (minutes on 2 cores; never in CI), then runs Debian's protoc.
# Needs protobuf-compiler and libprotobuf-dev (google/protobuf/duration.proto).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
plugins=$root/.build-protoc-plugins
out=Sources/ControlAPI/Generated
version=$(sed -n 's|.*grpc-swift-protobuf", from: "\([0-9.]*\)".*|\1|p' Package.swift)
[[ -n $version ]] || { echo "generate-grpc: grpc-swift-protobuf's version not found in Package.swift" >&2; exit 1; }

if [[ ! -x $plugins/bin/protoc-gen-grpc-swift-2 || $(cat "$plugins/version" 2>/dev/null) != "$version" ]]; then
    rm -rf "$plugins"
    git clone -q https://github.com/grpc/grpc-swift-protobuf "$plugins/src"
    git -C "$plugins/src" checkout -q "$version"
    (cd "$plugins/src" && swift build -c release --product protoc-gen-grpc-swift-2 && swift build -c release --product protoc-gen-swift)
    mkdir -p "$plugins/bin"
    cp "$plugins/src/.build/release/protoc-gen-grpc-swift-2" "$plugins/src/.build/release/protoc-gen-swift" "$plugins/bin/"
    echo "$version" > "$plugins/version"
fi

# Messages for the services written with the generated server code; the
# record stream's messages are not generated (its rows go out as encoded).
messages=(xtcp_config/v1/xtcp_config.proto grpc/health/v1/health.proto grpc/reflection/v1/reflection.proto)
api=("${messages[@]}" xtcp_flat_record/v1/xtcp_flat_record_service.proto)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
protoc -I proto --plugin="$plugins/bin/protoc-gen-swift" --swift_out="$tmp" --swift_opt=FileNaming=PathToUnderscores "${messages[@]}"
# Reflection is registered by hand (under v1 and v1alpha): no service code.
protoc -I proto --plugin="$plugins/bin/protoc-gen-grpc-swift-2" --grpc-swift-2_out="$tmp" \
    --grpc-swift-2_opt=Client=false,Server=true,FileNaming=PathToUnderscores xtcp_config/v1/xtcp_config.proto grpc/health/v1/health.proto
protoc -I proto --include_imports --descriptor_set_out="$tmp/api.pb" "${api[@]}"

rm -f "$out"/*.swift "$out"/*.pb
cp "$tmp"/*.swift "$out/"
cp "$tmp/api.pb" "$out/xtcp_api.pb"
{
    echo "// The descriptor set of the gRPC API's .proto files (xtcp_api.pb beside this"
    echo "// file), base64: what server reflection serves. Made by scripts/generate-grpc.sh;"
    echo "// do not edit."
    echo ""
    echo "enum APIDescriptorSet {"
    echo "    static let base64 = \"$(base64 -w0 "$tmp/api.pb")\""
    echo "}"
} > "$out/APIDescriptorSet.swift"
echo "regenerated $out from ${api[*]} (grpc-swift-protobuf $version, $(protoc --version))"

#!/bin/sh
# Installs Hive Router, the Guild's Rust federation router, at a pinned
# version from crates.io (the published crate of its public repository,
# github.com/graphql-hive/router), into bench/gateways/hive-router/bin/, where
# `bench-load --gateways hive-router` finds it. A release build: about 25
# minutes on two cores, and not part of CI.
#
#   sh bench/gateways/hive-router.sh
#
# `--features graphiql`: the default build also bundles the Hive Laboratory UI
# with `npm install` in its build script, which fails where the npm registry
# lacks that package; with this feature the router serves GraphiQL instead.
# The UI is the only difference: request handling is the same code.
set -eu
VERSION=0.2.0
cd "$(dirname "$0")"
cargo install hive-router --version "$VERSION" --locked --features graphiql --root "$PWD/hive-router"
# (No `--version` check: the binary takes no arguments, and would start serving.)
echo "installed: $PWD/hive-router/bin/hive_router (hive-router $VERSION)"

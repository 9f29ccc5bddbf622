#!/bin/sh
# Publishes the F# server (framework-dependent) to publish/server.dll with the .NET SDK (8 or newer).
set -eu
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet publish server.fsproj --configuration Release --output publish

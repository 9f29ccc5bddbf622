#!/bin/sh
# Compiles Server.cs to server.exe with Mono's C# compiler (Debian: mono-mcs).
set -eu
cd "$(dirname "$0")"
mcs -nologo -optimize+ -out:server.exe Server.cs

#!/bin/sh
# Builds ./server from server.cpp (C++17, POSIX sockets, no dependencies beyond libstdc++).
set -eu
cd "$(dirname "$0")"
${CXX:-g++} -std=c++17 -O2 -Wall -Wextra -pthread -o server server.cpp

#!/usr/bin/env bash
# The built-in PHP runtime (php7.2 on the machine's PHP, runtimes/php/): Debian's PSR-7 (guzzlehttp/psr7 and the
# PSR HTTP message interfaces) for HTTP functions. php-cli itself is a base package of scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
LABEL=setup.d/php ./scripts/apt-install.sh php-cli php-guzzlehttp-psr7 php-psr-http-message php-psr-http-factory

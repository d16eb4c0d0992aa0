#!/bin/sh
# Starts WebKitGTK's MiniBrowser for WebKitWebDriver with settings it can only take from its environment
# (device scale, reduced motion, colour scheme). WebDriver's webkitgtk:browserOptions passes arguments, not an
# environment, so the test helper (webkit.ts) passes them as --env=NAME=VALUE and --binary=PATH, removed here.
binary=""
for arg in "$@"; do
  shift
  case "$arg" in
    --env=*) export "${arg#--env=}" ;;
    --binary=*) binary="${arg#--binary=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec "$binary" "$@"

#!/usr/bin/env bash
# Spark GPU discovery script: prints {"name":"gpu","addresses":["0","1",...]} from nvidia-smi.
# Use as spark.executor.resource.gpu.discoveryScript (and spark.worker.resource.gpu.discoveryScript).
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "discover-gpus.sh: nvidia-smi not found on $(hostname): no NVIDIA driver on this node" >&2
  exit 1
fi
ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | paste -sd, -)
if [ -z "$ids" ]; then
  echo "discover-gpus.sh: nvidia-smi lists no GPUs on $(hostname)" >&2
  exit 1
fi
printf '{"name":"gpu","addresses":["%s"]}\n' "$(echo "$ids" | sed 's/,/","/g')"

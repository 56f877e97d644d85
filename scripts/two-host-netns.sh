#!/usr/bin/env bash
# Runs a 2-host data-parallel job on one machine: two network namespaces ("hosts" cv-host1 at
# 10.77.0.1 and cv-host2 at 10.77.0.2, each with its own hostname) joined by a veth pair, and
# Open MPI launching one rank on each over TCP. Open MPI's rsh agent is a wrapper that "logs in"
# to a host by entering its namespace (ip netns exec + a UTS namespace for its hostname) instead
# of ssh; everything else (hostfile, TCP out-of-band and byte-transfer layers) is what a real
# two-machine job uses. Both "hosts" see the same files, as two machines with a shared or
# identical path would.
#
# Usage (root, Linux, iproute2 and Open MPI installed):
#   scripts/two-host-netns.sh [CONVERGE_BINARY] [RECIPE]
# Defaults: .build/release/converge (else .build/debug/converge) and a small generated recipe.
# Prints the job's output and checks that rank 0 wrote the run folder with world_size 2.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
binary=${1:-}
if [ -z "$binary" ]; then
    if [ -x .build/release/converge ]; then binary=$root/.build/release/converge; else binary=$root/.build/debug/converge; fi
fi
[ -x "$binary" ] || { echo "two-host-netns: no converge binary at $binary (swift build first)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "two-host-netns: needs root (ip netns)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "two-host-netns: needs Open MPI's mpirun (apt-get install openmpi-bin)" >&2; exit 1; }

work=$(mktemp -d /tmp/converge-two-host.XXXXXX)
h1=cv-host1 h2=cv-host2
cleanup() {
    ip netns del $h1 2>/dev/null || true
    ip netns del $h2 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cleanup; work=$(mktemp -d /tmp/converge-two-host.XXXXXX)

# The two hosts and the wire between them.
ip netns add $h1
ip netns add $h2
ip link add cv-veth1 type veth peer name cv-veth2
ip link set cv-veth1 netns $h1
ip link set cv-veth2 netns $h2
ip -n $h1 addr add 10.77.0.1/24 dev cv-veth1
ip -n $h2 addr add 10.77.0.2/24 dev cv-veth2
for ns in $h1 $h2; do ip -n $ns link set lo up; done
ip -n $h1 link set cv-veth1 up
ip -n $h2 link set cv-veth2 up
ip -n $h1 link show cv-veth1 | grep -q "state UP\|LOWER_UP" || { echo "two-host-netns: the veth link did not come up" >&2; exit 1; }

# "ssh HOST COMMAND": enter HOST's namespaces and run COMMAND there with its hostname.
cat > "$work/netns-rsh" <<'WRAP'
#!/usr/bin/env bash
host=$1; shift
case "$host" in
    10.77.0.1|cv-host1) ns=cv-host1 ;;
    10.77.0.2|cv-host2) ns=cv-host2 ;;
    *) echo "netns-rsh: unknown host $host" >&2; exit 255 ;;
esac
exec ip netns exec "$ns" unshare --uts sh -c "hostname $ns; $*"
WRAP
chmod +x "$work/netns-rsh"
printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' > "$work/hostfile"

recipe=${2:-}
if [ -z "$recipe" ]; then
    python3 - "$work" <<'PY'
import random, sys
random.seed(7)
rows = ["a,b,c,label"]
for i in range(512):
    y = i % 2
    rows.append(",".join(f"{(y - 0.5) * s + random.uniform(-0.6, 0.6):.4f}" for s in (1, -1, 0.5)) + f",{y}")
open(f"{sys.argv[1]}/train.csv", "w").write("\n".join(rows) + "\n")
open(f"{sys.argv[1]}/recipe.yaml", "w").write(
    "seed: 1\n"
    "data: { train: train.csv, validation: 0.25, label: label }\n"
    "model: { mlp: { hidden: [32, 32], batchnorm: true, dropout: 0.1 }, sync_batchnorm: true }\n"
    "optimizer: { name: adamw, lr: 0.01 }\n"
    "training: { epochs: 4, batch_size: 32 }\n")
PY
    recipe=$work/recipe.yaml
fi

echo "== two hosts: $h1 (10.77.0.1) and $h2 (10.77.0.2), veth, Open MPI over TCP"
as_root=""; [ "$(id -u)" = 0 ] && as_root="--allow-run-as-root"
# mpirun runs on host 1 (under its own hostname), starts rank 0 there and rank 1 on host 2
# through the rsh agent; ranks talk TCP over the veth (no shared memory between the hosts).
ip netns exec $h1 unshare --uts sh -c "hostname $h1; cd '$work' && exec mpirun $as_root -np 2 --hostfile hostfile \
    --map-by node --bind-to none \
    --mca plm_rsh_agent '$work/netns-rsh' \
    --mca oob_tcp_if_include 10.77.0.0/24 --mca btl_tcp_if_include 10.77.0.0/24 \
    --mca btl tcp,self --mca pml ob1 \
    -x OPENBLAS_NUM_THREADS=1 \
    sh -c 'echo \"rank \$OMPI_COMM_WORLD_RANK on host \$(hostname)\" >&2; exec \"\$0\" \"\$@\"' \
    '$binary' train '$recipe' --output '$work/run'"
echo "== bytes over the wire (cv-veth1 on $h1): $(ip -n $h1 -s link show cv-veth1 | awk '/RX:/{getline; rx=$1} /TX:/{getline; tx=$1} END{print "received " rx ", sent " tx}')"
echo "== run folder written by rank 0 on $h1:"
ls "$work/run"
grep -o '"world_size": [0-9]*' "$work/run/summary.json"

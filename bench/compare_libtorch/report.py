"""The report of scripts/compare_libtorch.sh: medians of its rounds, ratios, the roofline and the
breakdown, as Markdown on stdout; with update_readme=1 it also replaces README.md's speed table
(the lines between the speed-table markers)."""
import datetime
import json
import os
import platform
import statistics
import sys

# Floating point operations of one training sample (2 per multiply-add): the forward products,
# the weight gradients (as many), and the input gradients of every layer but the first (whose
# input is data). Convolutions count output elements x kernel volume x input channels.
#   mlp: 784*128 + 128*10 = 101,632 forward; 101,632 weight; 1,280 input -> 204,544 MACs.
#   pytorch-cnn: conv1 24*24*10*25 = 144,000; conv2 8*8*20*250 = 320,000; fc1 320*50 = 16,000;
#     fc2 500 -> 480,500 forward; 480,500 weight; 336,500 input -> 1,297,500 MACs.
#   cnn: conv1 26*26*32*9 = 194,688; conv2 24*24*64*288 = 10,616,832; fc1 9216*128 = 1,179,648;
#     fc2 1,280 -> 11,992,448 forward; 11,992,448 weight; 11,797,760 input -> 35,782,656 MACs.
FLOPS_PER_SAMPLE = {"mlp": 2 * 204_544, "pytorch-cnn": 2 * 1_297_500, "cnn": 2 * 35_782_656}
MODEL_NAMES = {"mlp": "mnist_mlp's MLP", "pytorch-cnn": "PyTorch's C++ MNIST CNN",
               "cnn": "mnist_cnn's CNN"}


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            entry = json.loads(line)
            rows.setdefault(entry["tag"], []).append(entry["result"])
    return rows


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split()
                    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    except OSError:
        pass
    return "?"


def report(rows):
    peak = rows["peak"][0]
    out = []
    torch_version = next(r for tag, rs in rows.items() if tag.startswith("train libtorch")
                         for r in rs)["version"]
    out.append(f"Measured {datetime.date.today().isoformat()} by `scripts/compare_libtorch.sh` on "
               f"{cpu_model()} ({peak['threads']} CPUs, {cpu_flags()}), against Debian's libtorch "
               f"{torch_version} with OpenBLAS; medians of 5 rounds (mnist_cnn: 3) run "
               f"alternately, each framework with its default threads. The machine's float32 GEMM peak "
               f"(2048^3 sgemm on {peak['threads']} threads) is {peak['sgemm_gflops']:.0f} "
               f"GFLOP/s; *roofline* is the fraction of it nabla's training reaches.")
    out.append("")
    out.append("| model | batch | nabla samples/s | libtorch samples/s | speed ratio | "
               "test accuracy nabla / libtorch | peak RSS nabla / libtorch | roofline |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    seen = []
    for tag in rows:
        parts = tag.split()
        if parts[0] == "train" and parts[1] == "nabla" and parts[4] == "idle":
            seen.append((parts[2], int(parts[3])))
    for model, batch in seen:
        n = rows[f"train nabla {model} {batch} idle"]
        t = rows[f"train libtorch {model} {batch} idle"]
        ns, ts = median(n, "samples_per_second"), median(t, "samples_per_second")
        nr, tr = median(n, "peak_rss_mb"), median(t, "peak_rss_mb")
        roof = ns * FLOPS_PER_SAMPLE[model] / (peak["sgemm_gflops"] * 1e9)
        out.append(f"| {MODEL_NAMES[model]} | {batch} | {ns:,.0f} | {ts:,.0f} | "
                   f"**{ns / ts:.2f}x** | {median(n, 'test_accuracy'):.2f}% / "
                   f"{median(t, 'test_accuracy'):.2f}% | {nr:.0f} / {tr:.0f} MB "
                   f"({tr / nr:.1f}x less) | {100 * roof:.0f}% |")
    threads = {fw: rows[f"train {fw} mlp 64 idle"][0]["threads"] for fw in ("nabla", "libtorch")}
    out.append("")
    out.append(f"Threads: nabla {threads['nabla']}, libtorch {threads['libtorch']} (their "
               f"defaults here). The CNNs train on the first 19,200 (PyTorch's CNN) or 6,400 "
               f"(mnist_cnn) training images for one epoch; the MLP on all 60,000; all are tested "
               f"on the 10,000 test images.")

    out.append("")
    out.append("**A busy machine** (a busy loop pinned to one CPU, mnist_mlp's MLP at batch 64):")
    out.append("")
    out.append("| | idle samples/s | busy samples/s | slowdown |")
    out.append("| --- | --- | --- | --- |")
    for fw in ("nabla", "libtorch"):
        idle = median(rows[f"train {fw} mlp 64 idle"], "samples_per_second")
        busy = median(rows[f"train {fw} mlp 64 busy"], "samples_per_second")
        out.append(f"| {fw} | {idle:,.0f} | {busy:,.0f} | {idle / busy:.2f}x |")

    out.append("")
    out.append("**nabla's training step, microseconds** (200 profiled steps after the run; *host* "
               "is time outside every kernel and allocation: dispatch, shapes, autograd):")
    out.append("")
    out.append("| model, batch | step | data | forward + loss | backward | optimizer | kernels "
               "| host |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for model, batch in seen:
        b = rows[f"train nabla {model} {batch} idle"][-1]["breakdown_us_per_step"]
        kernels = ", ".join(f"{name} {us:.0f}" for name, us in
                            sorted(b["kernels"].items(), key=lambda kv: -kv[1]) if us >= 0.5)
        p = b["phases"]
        out.append(f"| {MODEL_NAMES[model]}, {batch} | {b['step']:.0f} | {p['data']:.0f} | "
                   f"{p['forward_and_loss']:.0f} | {p['backward']:.0f} | {p['optimizer']:.0f} | "
                   f"{kernels} | {b['host']:.0f} |")

    out.append("")
    out.append("**Host overhead and compile time:**")
    out.append("")
    out.append("| | nabla | libtorch | ratio |")
    out.append("| --- | --- | --- | --- |")
    on, ot = rows["overhead nabla"], rows["overhead libtorch"]
    for key, what in (("mul_ns", "mul of 8-element tensors"),
                      ("mul_autograd_ns", "the same, recording the graph"),
                      ("chain_op_ns", "forward + backward of a 100-op chain, per op")):
        a, b = median(on, key), median(ot, key)
        out.append(f"| {what} | {a:.0f} ns | {b:.0f} ns | {b / a:.1f}x less |")
    cn, ct = median(rows["compile nabla"], "seconds"), median(rows["compile libtorch"], "seconds")
    out.append(f"| compiling a program that includes the header (`g++ -O2`) | {cn:.1f} s | "
               f"{ct:.1f} s | {ct / cn:.1f}x less |")
    return "\n".join(out)


def update_readme(table):
    begin, end = "<!-- speed-table:begin -->", "<!-- speed-table:end -->"
    with open("README.md") as f:
        text = f.read()
    if begin not in text or end not in text:
        sys.exit("report.py: README.md has no speed-table markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open("README.md.tmp", "w") as f:
        f.write(head + begin + "\n" + table + "\n" + end + tail)
    os.replace("README.md.tmp", "README.md")


def main():
    rows = load(sys.argv[1])
    table = report(rows)
    print(table)
    if len(sys.argv) > 2 and sys.argv[2] == "1":
        update_readme(table)


if __name__ == "__main__":
    main()

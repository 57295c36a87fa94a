module bankops/benchmarks/loadgen

go 1.21

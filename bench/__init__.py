"""Benchmarks run by `make bench`: each compares our path with a floor measured in the same run."""

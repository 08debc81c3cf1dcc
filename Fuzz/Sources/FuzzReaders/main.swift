import FuzzDriver

runFuzzer { data, size in fuzzReaders(data, size) }

import FuzzDriver

runFuzzer { data, size in fuzzTurtle(data, size) }
